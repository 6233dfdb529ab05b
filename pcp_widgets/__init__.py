"""pcp-workbook: person-centred thinking tools and audit toolkit for adult social care."""

__version__ = "0.1.0"
