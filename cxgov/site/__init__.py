"""The status site: generated Markdown pages, SVG charts and the static-site build."""
