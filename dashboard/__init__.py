"""The operator dashboard: one HTML page, the vendored chart library (uPlot, MIT, see
static/uPlot.LICENSE) and the authenticated export download. The page reads the GraphQL API like
any frontend; nothing here decides a figure."""
