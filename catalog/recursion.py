"""Technological recursion: the graph of designs made from other designs.

Cycles are real (a 3D printer prints parts of 3D printers), so every walk keeps a visited set and a depth limit,
and loads one level of edges per query: a page never hangs and its query count is bounded by the depth.
"""

from dataclasses import dataclass, field

from catalog.models import BillOfMaterialsLine, Design

MAX_DEPTH = 3


@dataclass
class Graph:
    root: Design
    nodes: dict[int, Design] = field(default_factory=dict)
    depth_of: dict[int, int] = field(default_factory=dict)  # negative: made from (upstream); positive: used in
    edges: list[tuple[int, int, bool]] = field(default_factory=list)  # (component, product, closes a cycle)


def recursion_graph(root: Design, *, depth: int = MAX_DEPTH) -> Graph:
    graph = Graph(root=root, nodes={root.pk: root}, depth_of={root.pk: 0})
    seen_edges = set()
    for direction in (-1, 1):
        frontier = {root.pk}
        for level in range(1, depth + 1):
            if not frontier:
                break
            if direction < 0:  # what the frontier is made from
                lines = BillOfMaterialsLine.objects.filter(design_id__in=frontier, component__isnull=False)
                lines = lines.select_related("component")
                pairs = [(line.component, line.component_id, line.design_id) for line in lines]
            else:  # what the frontier is used in
                lines = BillOfMaterialsLine.objects.filter(component_id__in=frontier).select_related("design")
                pairs = [(line.design, line.component_id, line.design_id) for line in lines]
            next_frontier = set()
            for other, component_id, product_id in pairs:
                if (component_id, product_id) in seen_edges:
                    continue
                seen_edges.add((component_id, product_id))
                closes_cycle = other.pk in graph.nodes
                graph.edges.append((component_id, product_id, closes_cycle))
                if not closes_cycle:
                    graph.nodes[other.pk] = other
                    graph.depth_of[other.pk] = direction * level
                    next_frontier.add(other.pk)
            frontier = next_frontier
    return graph


def layout(graph: Graph, *, column_width: int = 220, row_height: int = 56) -> dict:
    """Columns by depth (made-from on the left, used-in on the right), for the SVG template."""
    columns: dict[int, list[int]] = {}
    for pk, depth in sorted(graph.depth_of.items(), key=lambda item: (item[1], graph.nodes[item[0]].name)):
        columns.setdefault(depth, []).append(pk)
    first = min(columns)
    positions = {}
    for depth, pks in columns.items():
        for row, pk in enumerate(pks):
            positions[pk] = ((depth - first) * column_width + 10, row * row_height + 40)
    nodes = [
        {"design": graph.nodes[pk], "x": x, "y": y, "is_root": pk == graph.root.pk} for pk, (x, y) in positions.items()
    ]
    edges = []
    for component_id, product_id, cycle in graph.edges:
        if component_id not in positions or product_id not in positions:
            continue
        (x1, y1), (x2, y2) = positions[component_id], positions[product_id]
        if component_id == product_id:  # a design made with itself: a loop over the top of its box
            path = f"M{x1 + 150},{y1} C{x1 + 150},{y1 - 32} {x1 + 30},{y1 - 32} {x1 + 30},{y1}"
        else:
            path = f"M{x1 + 180},{y1 + 18} L{x2},{y2 + 18}"
        edges.append({"path": path, "cycle": cycle})
    width = (max(columns) - first + 1) * column_width
    height = max(len(pks) for pks in columns.values()) * row_height + 50
    return {"nodes": nodes, "edges": edges, "width": width, "height": height}
