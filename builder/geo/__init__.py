"""US states: their postal codes, census FIPS ids, names and shapes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional


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


# --- state shapes, from the us-atlas TopoJSON shipped in geodata/ ---------------------------

GEODATA = Path(__file__).resolve().parent / "geodata"
TOPOLOGY_FILE = GEODATA / "us-states-10m.json"
TOLERANCE_DEGREES = 0.1  # about 10 km: city coordinates on a coast or border still count


@lru_cache(maxsize=1)
def topology_text() -> str:
    """Return the US states TopoJSON, as shipped."""
    return TOPOLOGY_FILE.read_text(encoding="utf-8")


Ring = list[tuple[float, float]]  # (longitude, latitude) pairs


@lru_cache(maxsize=1)
def state_shapes() -> dict[str, list[Ring]]:
    """Return {USPS code: rings} for the 50 states and DC, decoded from the TopoJSON."""
    topo = json.loads(topology_text())
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> Ring:
        out: Ring = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points[1:] if out else points)
        return out

    by_fips = {s.fips: s.code for s in STATES.values()}
    shapes: dict[str, list[Ring]] = {}
    for geometry in topo["objects"]["states"]["geometries"]:
        code = by_fips.get(geometry["id"])
        if code is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes[code] = [ring(r) for polygon in polygons for r in polygon]
    return shapes


@lru_cache(maxsize=None)
def state_bounds(code: str) -> tuple[float, float, float, float]:
    """Return a state's (west, south, east, north) in degrees; Alaska's Aleutians east of 180° are left out."""
    points = [(x, y) for ring in state_shapes()[code] for x, y in ring if not (code == "AK" and x > 0)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return round(min(xs), 3), round(min(ys), 3), round(max(xs), 3), round(max(ys), 3)


Edge = tuple[float, float, float, float]
BAND = 0.25  # degrees of latitude per index band


@lru_cache(maxsize=None)
def _edges(code: str) -> dict[int, list[Edge]]:
    """Index a state's border edges by latitude band, so a point test reads only a few edges."""
    bands: dict[int, list[Edge]] = {}
    for ring in state_shapes()[code]:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            for band in range(math.floor(min(y1, y2) / BAND), math.floor(max(y1, y2) / BAND) + 1):
                bands.setdefault(band, []).append((x1, y1, x2, y2))
    return bands


def _inside(code: str, lon: float, lat: float) -> bool:
    """Even-odd rule over the state's rings, so holes count as outside."""
    inside = False
    for x1, y1, x2, y2 in _edges(code).get(math.floor(lat / BAND), ()):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _near(code: str, lon: float, lat: float, tolerance: float) -> bool:
    edges = _edges(code)
    bands = range(math.floor((lat - tolerance) / BAND), math.floor((lat + tolerance) / BAND) + 1)
    for x1, y1, x2, y2 in (e for b in bands for e in edges.get(b, ())):
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((lon - x1) * dx + (lat - y1) * dy) / length))
        if math.hypot(lon - (x1 + t * dx), lat - (y1 + t * dy)) <= tolerance:
            return True
    return False


@lru_cache(maxsize=65536)  # many records share a site; the shapes never change
def in_state(code: str, latitude: float, longitude: float, tolerance: float = TOLERANCE_DEGREES) -> bool:
    """Return whether a point lies in a state, or within tolerance degrees of its border."""
    return _inside(code, longitude, latitude) or _near(code, longitude, latitude, tolerance)


@lru_cache(maxsize=65536)
def locate(latitude: float, longitude: float) -> Optional[str]:
    """Return the code of the state a point lies in, or None outside the US."""
    for code in state_shapes():
        if _inside(code, longitude, latitude):
            return code
    return None


def _simplify(points: list[tuple[int, int]], tolerance: float, sx: float, sy: float) -> list[tuple[int, int]]:
    """Douglas–Peucker on one arc (distances in degrees), keeping its ends, which other borders share."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        x1, y1 = points[first][0] * sx, points[first][1] * sy
        x2, y2 = points[last][0] * sx, points[last][1] * sy
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        far, far_at = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i][0] * sx, points[i][1] * sy
            distance = (abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length if length
                        else math.hypot(x - x1, y - y1))
            if distance > far:
                far, far_at = distance, i
        if far > tolerance and far_at > 0:
            keep[far_at] = True
            stack += [(first, far_at), (far_at, last)]
    return [p for p, kept in zip(points, keep) if kept]


@lru_cache(maxsize=4)
def simplified_topology_text(degrees: float = 0.02) -> str:
    """Return the states TopoJSON with every border simplified to within `degrees`, for country-wide maps."""
    topo = json.loads(topology_text())
    (sx, sy) = topo["transform"]["scale"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x, y))
        kept = _simplify(points, degrees, sx, sy)
        encoded, px, py = [], 0, 0
        for x, y in kept:
            encoded.append([x - px, y - py])
            px, py = x, y
        arcs.append(encoded)
    topo["arcs"] = arcs
    topo["objects"] = {"states": topo["objects"]["states"]}
    return json.dumps(topo, separators=(",", ":"))
