"""The archive package of one case: an E-ARK CSIP information package (a folder, or a zip of
it) holding the case as CITS ERMS XML, every version of every document's file, the schemas,
and a root ``METS.xml`` listing each file with its SHA-256 checksum and size.

The package is for the archive (arkivmyndigheten), which takes secret documents too, marked:
it holds everything, secret content included (the restrictions in the ERMS XML say what is
secret under which provision). Only the auditors' and registrars' command writes it.

Layout (CSIP: E-ARK Common Specification for Information Packages)::

    <OBJID>/METS.xml
    <OBJID>/metadata/descriptive/erms.xml
    <OBJID>/representations/rep1/data/document-<n>/version-<v>/<file name>
    <OBJID>/schemas/ERMS_v3.xsd, mets.xsd, xlink.xsd, CSIPExtensionMETS.xsd
    <OBJID>/documentation/README.txt
"""

from __future__ import annotations

import hashlib
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diarium.cases.files.stores import CHUNK
from diarium.cases.outbound import erms
from diarium.cases.outbound.export import json_package

if TYPE_CHECKING:
    from collections.abc import Callable

    from diarium.cases.application import Diarium

    FilesWritten = Callable[[int, int], None]  # (files written, files in all)

METS = "http://www.loc.gov/METS/"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
XLINK = "http://www.w3.org/1999/xlink"
PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
CONTENT_INFORMATION_TYPE = "citserms_v3_0"
ERMS_PATH = "metadata/descriptive/erms.xml"
SCHEMA_FILES = ("ERMS_v3.xsd", "mets.xsd", "xlink.xsd", "CSIPExtensionMETS.xsd")
SCHEMA_LOCATIONS = (f"{METS} schemas/mets.xsd {XLINK} schemas/xlink.xsd "
                    f"{CSIP} schemas/CSIPExtensionMETS.xsd")
README = """Arkivpaket (E-ARK CSIP) för ärende {dnr}, skapat {created} av diarium {version}.

METS.xml              paketets innehållsförteckning: varje fil med SHA-256 och storlek
metadata/descriptive/erms.xml
                      ärendet enligt E-ARK CITS ERMS v3 (schemas/ERMS_v3.xsd): handlingar,
                      sekretessmarkeringar (restriction), remisser, beslut med organ och §
                      eller delegat, reservationer, filversioner med kontrollsummor, historik
representations/rep1/data/document-<nr>/version-<v>/
                      varje version av varje handlings fil
schemas/              de XML-scheman som filerna ovan följer

Paketet är avsett för arkivmyndigheten och innehåller även sekretessbelagt innehåll,
markerat i erms.xml.
"""


class PackageExists(Exception):
    """The target folder or zip already exists (a package is never written over)."""


def write_package(app: Diarium, dnr: str, target: Path, *, now: datetime | None = None,
                  progress: FilesWritten | None = None) -> Path:
    """Write the package of case ``dnr`` to ``target``: a new folder (its name is the
    package's OBJID), or a zip holding one such folder when ``target`` ends in ``.zip``.
    ``progress`` is told ``(files written, files in all)`` after each document's file."""
    if target.exists():
        raise PackageExists(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() != ".zip":
        _write_folder(app, dnr, target, now or datetime.now(UTC), progress)
        return target
    with tempfile.TemporaryDirectory(dir=target.parent) as staging:
        folder = Path(staging) / target.stem
        _write_folder(app, dnr, folder, now or datetime.now(UTC), progress)
        with zipfile.ZipFile(target, "x", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                archive.write(path, path.relative_to(staging).as_posix())
    return target


def _write_folder(app: Diarium, dnr: str, root: Path, now: datetime,
                  progress: FilesWritten | None = None) -> None:
    package = json_package(app, dnr, now=now)
    files = sum(len(document["files"]) for document in package["documents"])
    root.mkdir(parents=True)
    listed: dict[str, list[dict[str, Any]]] = {"Documentation": [], "Schemas": [],
                                                "Representations": []}
    created = package["package"]["created_at"]
    readme = README.format(dnr=dnr, created=created, version=erms.software_version())
    listed["Documentation"].append(
        _put_bytes(root, "documentation/README.txt", readme.encode(), "text/plain", created))
    for name in SCHEMA_FILES:
        listed["Schemas"].append(_put_bytes(
            root, f"schemas/{name}", (erms.SCHEMAS / name).read_bytes(), "application/xml",
            created))
    for document in package["documents"]:
        for f in document["files"]:
            href = erms.file_href(document["number"], f["version"], f["file_name"])
            with app.files.store.open(f["sha256"]) as stream:
                entry = _put_stream(root, href, stream, f["media_type"],
                                    f["recorded_at"] or f["attached_on"])
            entry["id"] = f"file-d{document['number']}-v{f['version']}"
            listed["Representations"].append(entry)
            if progress is not None:
                progress(len(listed["Representations"]), files)
    xml = ET.tostring(erms.erms_element(package, "../../schemas/ERMS_v3.xsd"),
                      encoding="utf-8", xml_declaration=True)
    descriptive = _put_bytes(root, ERMS_PATH, xml, "application/xml", created)
    mets = _mets(root.name, package, descriptive, listed)
    (root / "METS.xml").write_bytes(ET.tostring(mets, encoding="utf-8", xml_declaration=True))


def _put_bytes(root: Path, href: str, data: bytes, media_type: str, created: str
               ) -> dict[str, Any]:
    path = root / href
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"href": href, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": media_type, "created": created}


def _put_stream(root: Path, href: str, stream: Any, media_type: str, created: str
                ) -> dict[str, Any]:
    """Copy ``stream`` to ``href``, hashing the bytes written (what the package holds)."""
    path = root / href
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"href": href, "size": size, "sha256": digest.hexdigest(),
            "media_type": media_type, "created": created}


def _m(tag: str) -> str:
    return f"{{{METS}}}{tag}"


def _mets(objid: str, package: dict[str, Any], descriptive: dict[str, Any],
          listed: dict[str, list[dict[str, Any]]]) -> ET.Element:
    for prefix, uri in (("mets", METS), ("csip", CSIP), ("xlink", XLINK),
                        ("xsi", erms.XSI_NAMESPACE)):
        ET.register_namespace(prefix, uri)
    case = package["case"]
    created = erms.xml_text(package["package"]["created_at"])
    root = ET.Element(_m("mets"), {
        "OBJID": objid, "LABEL": erms.xml_text(f"{case['dnr']} {case['title']}"),
        "TYPE": "Mixed", f"{{{CSIP}}}CONTENTINFORMATIONTYPE": CONTENT_INFORMATION_TYPE,
        "PROFILE": PROFILE, f"{{{erms.XSI_NAMESPACE}}}schemaLocation": SCHEMA_LOCATIONS})
    header = ET.SubElement(root, _m("metsHdr"), {"CREATEDATE": created,
                                                  f"{{{CSIP}}}OAISPACKAGETYPE": "SIP"})
    software = ET.SubElement(header, _m("agent"),
                             {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"})
    ET.SubElement(software, _m("name")).text = "diarium"
    ET.SubElement(software, _m("note"), {f"{{{CSIP}}}NOTETYPE": "SOFTWARE VERSION"}
                  ).text = erms.software_version()
    body = ET.SubElement(header, _m("agent"), {"ROLE": "ARCHIVIST", "TYPE": "ORGANIZATION"})
    ET.SubElement(body, _m("name")).text = erms.xml_text(case["responsible_body"])
    dmd = ET.SubElement(root, _m("dmdSec"), {"ID": "dmd-erms", "CREATED": created,
                                             "STATUS": "CURRENT"})
    ET.SubElement(dmd, _m("mdRef"), {
        "LOCTYPE": "URL", f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": descriptive["href"],
        "MDTYPE": "OTHER", "OTHERMDTYPE": "ERMS", "MIMETYPE": "application/xml",
        "SIZE": str(descriptive["size"]), "CREATED": created,
        "CHECKSUM": descriptive["sha256"], "CHECKSUMTYPE": "SHA-256"})
    file_section = ET.SubElement(root, _m("fileSec"), {"ID": "filesec"})
    groups = {"Documentation": "Documentation", "Schemas": "Schemas",
              "Representations": "Representations/rep1/data"}
    for label, use in groups.items():
        if not listed[label]:
            continue
        group = ET.SubElement(file_section, _m("fileGrp"), {"USE": use, "ID": f"grp-{label}"})
        if label == "Representations":
            group.set(f"{{{CSIP}}}CONTENTINFORMATIONTYPE", CONTENT_INFORMATION_TYPE)
        for number, entry in enumerate(listed[label], 1):
            _file(group, entry.get("id", f"file-{label}-{number}"), entry)
    structure = ET.SubElement(root, _m("structMap"),
                              {"TYPE": "PHYSICAL", "LABEL": "CSIP", "ID": "structmap-csip"})
    top = ET.SubElement(structure, _m("div"), {"ID": "div-package", "LABEL": objid})
    ET.SubElement(top, _m("div"), {"ID": "div-metadata", "LABEL": "Metadata",
                                   "DMDID": "dmd-erms"})
    for label in groups:
        if listed[label]:
            division = ET.SubElement(top, _m("div"), {"ID": f"div-{label}", "LABEL": label})
            ET.SubElement(division, _m("fptr"), {"FILEID": f"grp-{label}"})
    ET.indent(root)
    return root


def _file(group: ET.Element, identifier: str, entry: dict[str, Any]) -> None:
    created = erms.xml_text(entry["created"])
    element = ET.SubElement(group, _m("file"), {
        "ID": identifier, "MIMETYPE": erms.xml_text(entry["media_type"]),
        "SIZE": str(entry["size"]), "CREATED": created if len(created) > 10
        else f"{created}T00:00:00", "CHECKSUM": entry["sha256"], "CHECKSUMTYPE": "SHA-256"})
    ET.SubElement(element, _m("FLocat"), {
        "LOCTYPE": "URL", f"{{{XLINK}}}type": "simple",
        f"{{{XLINK}}}href": erms.xml_text(entry["href"])})

