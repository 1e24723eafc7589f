"""Web archive inputs written for tests with FastWARC's writer: a small invented crawl around two pages."""

PAGE_HTML = ("<html><head><title>Harbour news</title></head><body><nav><a href='/'>Home</a></nav>"
             "<article><h1>Ferry timetable changes</h1><p>The ferry leaves at nine from the east pier "
             "on weekdays.</p><p>Tickets cost {price} at the kiosk.</p></article>"
             "<footer>Copyright Harbour Gazette</footer></body></html>")


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body


def warc_record(kind: str, uuid: str, url: str, payload: bytes, content_type: str):
    from fastwarc.warc import WarcRecord, WarcRecordType

    record = WarcRecord()
    record.init_headers(getattr(WarcRecordType, kind), record_urn=f"uuid:{uuid}".encode())
    if url:
        record.headers["WARC-Target-URI"] = url
    record.headers["Content-Type"] = content_type
    record.set_bytes_content(payload)
    return record


def write_warc(path, records: list[tuple]) -> None:
    """``records``: (kind, uuid, url, payload, content type); gzip-compressed where the name ends in .gz."""
    from fastwarc.stream_io import GzipWriter

    out = GzipWriter(str(path)) if str(path).endswith(".gz") else open(path, "wb")  # noqa: SIM115
    try:
        for fields in records:
            warc_record(*fields).write(out)
    finally:
        out.close()


def crawl_records(price: str = "€2") -> list[tuple]:
    """A small crawl: the records a crawler writes around two pages, one of them in Latin-1."""
    http = "application/http; msgtype=response"
    return [
        ("warcinfo", "info", "", b"software: invented-crawler/1.0\r\n", "application/warc-fields"),
        ("request", "req1", "https://www.harbour.example/ferry", b"GET /ferry HTTP/1.1\r\n\r\n",
         "application/http; msgtype=request"),
        ("response", "page1", "https://www.harbour.example/ferry",
         http_response(PAGE_HTML.format(price=price).encode()), http),
        ("metadata", "meta1", "https://www.harbour.example/ferry", b"fetchTimeMs: 12\r\n", "application/warc-fields"),
        ("response", "logo", "https://www.harbour.example/logo.png",
         http_response(b"\x89PNG\r\n", "image/png"), http),
        ("response", "gone", "https://www.harbour.example/old", http_response(b"<p>Not here</p>", status="404 Not Found"),
         http),
        ("response", "page2", "https://news.harbour.example/caf",
         http_response("<p>Caf\u00e9 reopens on the quay this spring.</p>".encode("latin-1"),
                       "text/html; charset=iso-8859-1"), http),
        ("response", "blank", "https://www.harbour.example/blank", http_response(b"<html><body> </body></html>"), http),
    ]
