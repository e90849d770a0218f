"""Validators of the archive export: the official CITS ERMS schema and its Schematron rules,
and METS 1.12 with the E-ARK CSIP extension, all from ``cases/outbound/xsd/`` (no network)."""

from __future__ import annotations

from functools import cache
from typing import Any

from lxml import etree, isoschematron

from diarium.cases.outbound.erms import SCHEMA_PATH, SCHEMAS, SCHEMATRON_PATH


class _Local(etree.Resolver):
    """The XLink schema ``mets.xsd`` imports by URL, answered from the repository."""

    def resolve(self, url: str, pubid: Any, context: Any) -> Any:
        if url.endswith("/xlink.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xlink.xsd"), context)
        return None


@cache
def erms_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@cache
def erms_schematron() -> isoschematron.Schematron:
    """The official rules; they declare ``queryBinding="xslt2"`` but use XPath 1 only, so
    they run in lxml's XSLT 1 Schematron once the binding says so."""
    rules = etree.parse(str(SCHEMATRON_PATH))
    rules.getroot().set("queryBinding", "xslt")
    return isoschematron.Schematron(rules)


@cache
def mets_schema() -> etree.XMLSchema:
    parser = etree.XMLParser()
    parser.resolvers.add(_Local())
    both = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:both">
      <xs:import namespace="http://www.loc.gov/METS/"
                 schemaLocation="{(SCHEMAS / 'mets.xsd').as_uri()}"/>
      <xs:import namespace="https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
                 schemaLocation="{(SCHEMAS / 'CSIPExtensionMETS.xsd').as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(both.encode(), parser))


def assert_valid_erms(document: Any) -> None:
    """``document`` (bytes or a tree) is valid ERMS: schema and Schematron rules."""
    tree = etree.fromstring(document) if isinstance(document, bytes) else document
    schema = erms_schema()
    assert schema.validate(tree), schema.error_log
    rules = erms_schematron()
    assert rules.validate(tree), rules.error_log
