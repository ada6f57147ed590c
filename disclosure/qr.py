"""QR codes for the 公开栏 poster, made on the server (segno: pure Python, no outside service)."""

import io

import segno


def qr_svg(url: str) -> bytes:
    """An SVG QR code of `url`, error correction M (a poster outdoors gets dirty), black on white."""
    code = segno.make_qr(url, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False,
              title="扫码查看本村财务公开")
    return buffer.getvalue()
