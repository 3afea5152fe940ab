"""The dashboard app (Streamlit): one page per exposure of models/_exposures.yml.

`warehouse` reads the marts (DuckDB file read-only, or BigQuery with the profile's credentials),
`marts` names every mart column the pages read (one place to edit when a column is renamed),
`queries` turns marts into the frames the pages show, `ui` holds formatting and the header,
`app.py` is the entry point (`sendwise dashboard`, `make dashboard`) and `views/` the pages (not `pages/`: Streamlit would take that folder for
its older file-based navigation and answer a direct link with "Page not found").
"""
