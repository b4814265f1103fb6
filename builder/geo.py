"""US states: their postal codes, census FIPS ids and names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    """A US state (or DC) as the book's data and maps refer to it."""

    code: str  # USPS code, e.g. "TX"
    fips: str  # census FIPS id, as used by the us-atlas TopoJSON
    name: str

    @property
    def slug(self) -> str:
        return self.code.lower()


NATIONWIDE = "US"  # a data row that belongs to no single state

STATES: dict[str, State] = {s.code: s for s in (
    State("AK", "02", "Alaska"),
    State("AL", "01", "Alabama"),
    State("AR", "05", "Arkansas"),
    State("AZ", "04", "Arizona"),
    State("CA", "06", "California"),
    State("CO", "08", "Colorado"),
    State("CT", "09", "Connecticut"),
    State("DC", "11", "District of Columbia"),
    State("DE", "10", "Delaware"),
    State("FL", "12", "Florida"),
    State("GA", "13", "Georgia"),
    State("HI", "15", "Hawaii"),
    State("IA", "19", "Iowa"),
    State("ID", "16", "Idaho"),
    State("IL", "17", "Illinois"),
    State("IN", "18", "Indiana"),
    State("KS", "20", "Kansas"),
    State("KY", "21", "Kentucky"),
    State("LA", "22", "Louisiana"),
    State("MA", "25", "Massachusetts"),
    State("MD", "24", "Maryland"),
    State("ME", "23", "Maine"),
    State("MI", "26", "Michigan"),
    State("MN", "27", "Minnesota"),
    State("MO", "29", "Missouri"),
    State("MS", "28", "Mississippi"),
    State("MT", "30", "Montana"),
    State("NC", "37", "North Carolina"),
    State("ND", "38", "North Dakota"),
    State("NE", "31", "Nebraska"),
    State("NH", "33", "New Hampshire"),
    State("NJ", "34", "New Jersey"),
    State("NM", "35", "New Mexico"),
    State("NV", "32", "Nevada"),
    State("NY", "36", "New York"),
    State("OH", "39", "Ohio"),
    State("OK", "40", "Oklahoma"),
    State("OR", "41", "Oregon"),
    State("PA", "42", "Pennsylvania"),
    State("RI", "44", "Rhode Island"),
    State("SC", "45", "South Carolina"),
    State("SD", "46", "South Dakota"),
    State("TN", "47", "Tennessee"),
    State("TX", "48", "Texas"),
    State("UT", "49", "Utah"),
    State("VA", "51", "Virginia"),
    State("VT", "50", "Vermont"),
    State("WA", "53", "Washington"),
    State("WI", "55", "Wisconsin"),
    State("WV", "54", "West Virginia"),
    State("WY", "56", "Wyoming"),
)}
