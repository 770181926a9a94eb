"""Reports: openpyxl workbooks and reportlab PDFs written from plain data (no Qt, no SQL).

Every PDF builds on :mod:`cannngheo_desktop.documents.render.pdf_base` (Unicode font, Vietnamese
administrative heading, "Trang x/y" footer, bordered tables).
"""
