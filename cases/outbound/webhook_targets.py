"""Where webhooks may go: public http(s) addresses only, checked when a URL is registered and
again, after DNS resolution, before every batch of deliveries (server-side request forgery).

* Registration (:func:`check_url`): http or https, a host, no credentials in the URL; a host
  given as an address, in any form a resolver reads as one (``0x7f000001``, ``2130706433``,
  ``127.1``, ``[::ffff:127.0.0.1]``: parsed by ``getaddrinfo``, not by hand), and
  ``localhost`` names, must be allowed addresses.
* Delivery (:func:`resolve`): the host is resolved once, every address it resolves to must be
  allowed, and the connection goes to the checked address (the original host is sent as
  ``Host`` and TLS server name), so a name cannot resolve to another address in between.
* Allowed: global unicast addresses (``ipaddress``'s ``is_global``), not multicast, reserved
  or the machine's own; an IPv6 address embedding an IPv4 one (mapped, compatible, 6to4,
  Teredo, NAT64) only when that one is allowed too. ``DIARIUM_WEBHOOK_ALLOW_NETWORKS``
  (comma-separated networks, e.g. ``10.1.2.0/24,::1/128``) lets an operator allow more.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_address,
    ip_network,
)
from urllib.parse import SplitResult, urlsplit

import urllib3
from requests.certs import where as ca_bundle

from diarium.domain.rules import RuleViolation, rule

log = logging.getLogger(__name__)

ALLOW_NETWORKS_VARIABLE = "DIARIUM_WEBHOOK_ALLOW_NETWORKS"
MAX_URL_LENGTH = 2000
RESPONSE_READ_LIMIT = 64 * 1024  # of an answer, read to keep the connection; then dropped
WEBHOOK_URL = rule(
    "webhook-url", "A webhook URL is an absolute http(s) URL without credentials.",
    sv="En webhook-adress är en fullständig http(s)-adress utan inloggningsuppgifter.",
)
WEBHOOK_ADDRESS = rule(
    "webhook-address-not-allowed",
    "Webhooks go to public addresses only: not loopback, private, link-local, multicast, "
    "reserved or shared ones, unless the operator allows the network.",
    sv=(
        "Webhooks skickas bara till publika adresser: inte till loopback, privata, länklokala, "
        "multicast-, reserverade eller delade adresser, om inte driften tillåter nätet."
    ),
)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
                       r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*$")
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))
_COMPATIBLE = IPv6Network("::/96")
Address = IPv4Address | IPv6Address


class TargetRefused(RuleViolation):
    """A webhook URL or address that is not allowed: ``rule`` says which rule, ``detail``
    why."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the checked ``address`` and what the request names."""

    scheme: str
    host: str  # as in the URL: sent as the TLS server name
    port: int
    address: str  # the checked IP address the connection goes to
    host_header: str
    path: str


def _split(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, its host (no brackets, no final dot) and port; refused if malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(WEBHOOK_URL, "The URL cannot be parsed.") from None
    host = (parts.hostname or "").rstrip(".")
    malformed = (len(url) > MAX_URL_LENGTH or parts.scheme not in ("http", "https") or not host
                 or not url.isprintable() or any(c.isspace() for c in url))
    if malformed:
        raise TargetRefused(WEBHOOK_URL, "An absolute http(s) URL is required.")
    if "@" in parts.netloc:
        raise TargetRefused(WEBHOOK_URL, "A webhook URL carries no user name or password.")
    if not (_HOSTNAME.match(host) or _literal_ipv6(parts.netloc, host)):
        raise TargetRefused(WEBHOOK_URL, "The URL's host is not a host name or address.")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


def _literal_ipv6(netloc: str, host: str) -> bool:
    """Whether the URL names a bracketed IPv6 address (without a zone)."""
    try:
        return netloc.startswith("[") and "%" not in host and ip_address(host).version == 6
    except ValueError:
        return False


def _numeric(host: str) -> Address | None:
    """The address ``host`` is, read as a resolver reads numbers (``127.1``, hex, octal)."""
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ip_address(found[0][4][0])


def _embedded(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address inside an IPv6 one (mapped, compatible, 6to4, Teredo, NAT64)."""
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _COMPATIBLE or any(address in net for net in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@lru_cache(maxsize=8)
def _allowed_networks(setting: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for entry in filter(None, (part.strip() for part in setting.split(","))):
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            log.warning("%s: ignoring %r (not a network)", ALLOW_NETWORKS_VARIABLE, entry)
    return tuple(networks)


@lru_cache(maxsize=1)
def _own_addresses() -> frozenset[Address]:
    """The addresses of this machine's own name (a public one reaches its own services)."""
    try:
        found = socket.getaddrinfo(socket.gethostname(), None)
    except (OSError, UnicodeError):
        return frozenset()
    return frozenset(ip_address(entry[4][0].split("%")[0]) for entry in found)


def _public(address: Address) -> bool:
    inner = _embedded(address) if isinstance(address, IPv6Address) else None
    if inner is not None and not _public(inner):
        return False
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and address not in _own_addresses())


def allowed(address: Address) -> bool:
    """Whether a webhook may connect to ``address``."""
    networks = _allowed_networks(os.environ.get(ALLOW_NETWORKS_VARIABLE, ""))
    candidates = [address]
    if isinstance(address, IPv6Address) and address.ipv4_mapped:
        candidates.append(address.ipv4_mapped)
    if any(c in net for c in candidates for net in networks if c.version == net.version):
        return True
    return _public(address)


def _refuse_unless_allowed(addresses: list[Address]) -> None:
    if not addresses or not all(allowed(a) for a in addresses):
        raise TargetRefused(WEBHOOK_ADDRESS, "The URL's host is not a public address.")


def check_url(url: str) -> None:
    """Refuse a URL a webhook may not be registered for (:class:`TargetRefused`).

    Names are resolved only when delivering (:func:`resolve`); addresses, and
    ``localhost`` names (RFC 6761), are checked here.
    """
    _, host, _ = _split(url)
    address = _numeric(host)
    if address is not None:
        _refuse_unless_allowed([address])
    elif host.lower() == "localhost" or host.lower().endswith(".localhost"):
        _refuse_unless_allowed([ip_address("127.0.0.1"), ip_address("::1")])


def resolve(url: str) -> Target:
    """Resolve the URL's host once; every address must be allowed; the first is used."""
    parts, host, port = _split(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(WEBHOOK_URL, "The URL's host cannot be resolved.") from None
    addresses = [ip_address(entry[4][0].split("%")[0]) for entry in found]
    _refuse_unless_allowed(addresses)
    path = parts.path or "/"
    return Target(
        scheme=parts.scheme, host=host, port=port, address=str(addresses[0]),
        host_header=parts.netloc, path=f"{path}?{parts.query}" if parts.query else path,
    )


def connection_pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    """A pool of connections to the checked address only (TLS checks the URL's host name)."""
    options = {"port": target.port, "maxsize": 1, "retries": False,
               "timeout": urllib3.Timeout(connect=timeout, read=timeout)}
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address, server_hostname=target.host, assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle(), **options,
        )
    return urllib3.HTTPConnectionPool(target.address, **options)


def post(pool: urllib3.HTTPConnectionPool, target: Target, body: bytes,
         headers: dict[str, str]) -> int:
    """POST ``body`` through ``pool``; the answer's status (redirects are not followed, the
    answer's body is not kept)."""
    response = pool.urlopen("POST", target.path, body=body,
                            headers={**headers, "Host": target.host_header},
                            redirect=False, retries=False, preload_content=False)
    try:
        if len(response.read(RESPONSE_READ_LIMIT, decode_content=False)) >= RESPONSE_READ_LIMIT:
            response.close()  # too long to drain: the connection is dropped
    finally:
        response.release_conn()
    return int(response.status)
