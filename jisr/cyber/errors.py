"""Errors of the cyber domain (stable codes)."""

from __future__ import annotations

from jisr.errors import JisrError, NotFoundError, ValidationError


class CollectionNotFoundError(NotFoundError):
    code = "collection_not_found"


class ObjectNotFoundError(NotFoundError):
    code = "object_not_found"


class UploadTooLargeError(JisrError):
    code = "upload_too_large"
    http_status = 413
    title = "Upload too large"


class BundleMalformedError(ValidationError):
    code = "bundle_malformed"
