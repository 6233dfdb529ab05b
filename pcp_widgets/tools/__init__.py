"""The person-centred thinking tools as data: declarations, documents, validation.

No widgets and no I/O here: the editors (:mod:`pcp_widgets.ui`), the renderers
(:mod:`pcp_widgets.render`) and the store all work from these declarations.
"""

from pcp_widgets.tools.catalogue import LOW_CONFIDENCE, TOOLS, get_tool
from pcp_widgets.tools.model import Document, document_from_dict, new_document
from pcp_widgets.tools.spec import Column, InvalidDocument, Section, Tool, UnknownTool

__all__ = [
    "LOW_CONFIDENCE",
    "TOOLS",
    "Column",
    "Document",
    "InvalidDocument",
    "Section",
    "Tool",
    "UnknownTool",
    "document_from_dict",
    "get_tool",
    "new_document",
]
