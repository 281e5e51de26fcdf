"""The licences a design may carry, as SPDX identifiers (https://spdx.org/licenses/).

Sources, checked 2026-11-25:
- Software: the Open Source Initiative's list of approved licences (https://opensource.org/licenses), the ones in
  common use for firmware and tools; any OSI-approved identifier below is accepted.
- Hardware and documentation: the licence choices of the OSHWA certification application
  (https://certification.oshwa.org/apply, "Licenses" step) — CERN OHL, TAPR OHL, Solderpad, the Creative Commons
  licences that allow commercial use and derivatives (CC BY, CC BY-SA, CC0), and the GPL family — given here in
  their SPDX spellings. OSHWA accepts OSI-approved licences for software as well.
Non-commercial (NC) and no-derivatives (ND) licences are not open source and are refused with their own message.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Licence:
    spdx_id: str
    name: str

    @property
    def url(self) -> str:
        return f"https://spdx.org/licenses/{self.spdx_id}.html"


def _index(*licences: tuple[str, str]) -> dict[str, Licence]:
    return {spdx_id: Licence(spdx_id, name) for spdx_id, name in licences}


SOFTWARE = _index(
    ("MIT", "MIT License"),
    ("Apache-2.0", "Apache License 2.0"),
    ("BSD-2-Clause", 'BSD 2-Clause "Simplified" License'),
    ("BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License'),
    ("GPL-2.0-only", "GNU General Public License v2.0 only"),
    ("GPL-2.0-or-later", "GNU General Public License v2.0 or later"),
    ("GPL-3.0-only", "GNU General Public License v3.0 only"),
    ("GPL-3.0-or-later", "GNU General Public License v3.0 or later"),
    ("LGPL-2.1-only", "GNU Lesser General Public License v2.1 only"),
    ("LGPL-2.1-or-later", "GNU Lesser General Public License v2.1 or later"),
    ("LGPL-3.0-only", "GNU Lesser General Public License v3.0 only"),
    ("LGPL-3.0-or-later", "GNU Lesser General Public License v3.0 or later"),
    ("AGPL-3.0-only", "GNU Affero General Public License v3.0 only"),
    ("AGPL-3.0-or-later", "GNU Affero General Public License v3.0 or later"),
    ("MPL-2.0", "Mozilla Public License 2.0"),
    ("EPL-2.0", "Eclipse Public License 2.0"),
    ("EUPL-1.2", "European Union Public License 1.2"),
    ("ISC", "ISC License"),
    ("Zlib", "zlib License"),
    ("0BSD", "BSD Zero Clause License"),
    ("Unlicense", "The Unlicense"),
    ("CERN-OHL-P-2.0", "CERN Open Hardware Licence Version 2 - Permissive"),
    ("CERN-OHL-S-2.0", "CERN Open Hardware Licence Version 2 - Strongly Reciprocal"),
    ("CERN-OHL-W-2.0", "CERN Open Hardware Licence Version 2 - Weakly Reciprocal"),
)

HARDWARE = _index(
    ("CERN-OHL-P-2.0", "CERN Open Hardware Licence Version 2 - Permissive"),
    ("CERN-OHL-S-2.0", "CERN Open Hardware Licence Version 2 - Strongly Reciprocal"),
    ("CERN-OHL-W-2.0", "CERN Open Hardware Licence Version 2 - Weakly Reciprocal"),
    ("CERN-OHL-1.2", "CERN Open Hardware Licence v1.2"),
    ("TAPR-OHL-1.0", "TAPR Open Hardware License v1.0"),
    ("SHL-0.5", "Solderpad Hardware License v0.5"),
    ("SHL-0.51", "Solderpad Hardware License, Version 0.51"),
    ("SHL-2.0", "Solderpad Hardware License v2.0"),
    ("SHL-2.1", "Solderpad Hardware License v2.1"),
    ("CC-BY-4.0", "Creative Commons Attribution 4.0 International"),
    ("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International"),
    ("CC0-1.0", "Creative Commons Zero v1.0 Universal"),
    ("GPL-3.0-or-later", "GNU General Public License v3.0 or later"),
    ("GPL-3.0-only", "GNU General Public License v3.0 only"),
    ("GPL-2.0-or-later", "GNU General Public License v2.0 or later"),
)

DOCUMENTATION = _index(
    ("CC-BY-4.0", "Creative Commons Attribution 4.0 International"),
    ("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International"),
    ("CC-BY-3.0", "Creative Commons Attribution 3.0 Unported"),
    ("CC-BY-SA-3.0", "Creative Commons Attribution Share Alike 3.0 Unported"),
    ("CC0-1.0", "Creative Commons Zero v1.0 Universal"),
    ("GFDL-1.3-or-later", "GNU Free Documentation License v1.3 or later"),
    ("GFDL-1.3-only", "GNU Free Documentation License v1.3 only"),
    ("CERN-OHL-S-2.0", "CERN Open Hardware Licence Version 2 - Strongly Reciprocal"),
)

# Real SPDX identifiers that are not open: named so that the error can say why rather than "unknown".
NOT_OPEN = {
    "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-ND-4.0", "CC-BY-NC-ND-4.0",
    "CC-BY-NC-3.0", "CC-BY-NC-SA-3.0", "CC-BY-ND-3.0", "CC-BY-NC-ND-3.0",
    "BUSL-1.1", "SSPL-1.0", "Elastic-2.0", "Commons-Clause", "PolyForm-Noncommercial-1.0.0",
}  # fmt: skip

KINDS = {
    "hardware": (HARDWARE, _("hardware (OSHWA-acceptable)")),
    "software": (SOFTWARE, _("software (OSI-approved)")),
    "documentation": (DOCUMENTATION, _("documentation (OSHWA-acceptable)")),
}


def lookup(kind: str, spdx_id: str) -> Licence | None:
    return KINDS[kind][0].get(spdx_id)


def choices(kind: str) -> list[tuple[str, str]]:
    return [(lic.spdx_id, f"{lic.spdx_id} — {lic.name}") for lic in KINDS[kind][0].values()]


def validate(kind: str, spdx_id: str) -> None:
    allowed, label = KINDS[kind]
    if spdx_id in allowed:
        return
    if spdx_id in NOT_OPEN:
        raise ValidationError(
            _(
                "%(id)s is not an open licence (it forbids commercial use or derivatives); use an admissible %(kind)s licence."  # noqa: E501
            ),
            code="not_open",
            params={"id": spdx_id, "kind": label},
        )
    near = next((known for known in allowed if known.lower() == spdx_id.lower()), None)
    hint = _(" Did you mean %(near)s?") % {"near": near} if near else ""
    raise ValidationError(
        _("“%(id)s” is not an admissible %(kind)s licence. Use an SPDX identifier such as %(examples)s.%(hint)s"),
        code="inadmissible",
        params={"id": spdx_id, "kind": label, "examples": ", ".join(list(allowed)[:3]), "hint": hint},
    )


def validate_hardware(value: str) -> None:
    validate("hardware", value)


def validate_software(value: str) -> None:
    validate("software", value)


def validate_documentation(value: str) -> None:
    validate("documentation", value)
