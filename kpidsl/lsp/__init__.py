"""Language server: `kpi lsp` (kpidsl.lsp.server) and its analysis of an open scheme (kpidsl.lsp.document)."""
