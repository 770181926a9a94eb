"""Every report, list, profile and certificate: gather the data (queries, one module per
family of documents), then render it to xlsx or PDF (render/: plain data in, file out).
The catalogue (catalogue.py) is what the Báo cáo tab and `cannngheo report` list and build."""
