"""The upload size limit, enforced while an upload streams in.

``SizeLimitHandler`` is the first of ``FILE_UPLOAD_HANDLERS``: it passes every chunk on until more than
``settings.IMPORT_MAX_BYTES`` of a file have arrived (or the request announces a body that large), then
stops the upload (``StopUpload``): the handlers after it never receive the bytes past the limit, nothing
more is read from the connection, and the request is marked ``upload_too_large`` for the view to answer
413 with a message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# What a multipart body may hold beside the file itself (boundaries, headers, the other fields).
FORM_SLACK = 64 * 1024


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


class SizeLimitHandler(FileUploadHandler):
    body_length = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length or 0
        return None  # the multipart parsing goes on; chunks are checked as they arrive

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.body_length > max_bytes() + FORM_SLACK:
            self._stop()  # announced too large: not one byte of the file is taken

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > max_bytes():
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one make the file

    def _stop(self):
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)
