"""Every page's browser-tab title is plain text: a `{% block title %}` left unclosed swallows the
markup after it, and the tab then shows raw HTML."""

from pathlib import Path

import pytest
from django.template import engines
from django.template.base import TextNode
from django.template.loader_tags import BlockNode

import microwork

ROOT = Path(microwork.__file__).parent
TEMPLATES = sorted(
    str(p.relative_to(p.parents[len(p.relative_to(d).parts) - 1]))
    for d in ROOT.glob("**/templates")
    for p in d.rglob("*.html")
)


def _title_blocks(nodelist):
    for node in nodelist:
        if isinstance(node, BlockNode) and node.name == "title":
            yield node
        for attr in getattr(node, "child_nodelists", ()):
            yield from _title_blocks(getattr(node, attr, None) or [])


def test_templates_are_found():
    assert "privacy/my_data.html" in TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_title_block_holds_no_markup(name):
    template = engines["django"].get_template(name).template
    for block in _title_blocks(template.nodelist):
        for node in block.nodelist.get_nodes_by_type(TextNode):
            assert "<" not in node.s, f"{name}: the title block holds markup: {node.s[:60]!r}"
