"""The REST API under /api/v1/: the enterprise's operations of the portal (list, 新增报建, 修改保存, attachments,
提交审核) for programs, with the portal's permissions, selectors and the same services (STYLE.md: an adapter)."""
