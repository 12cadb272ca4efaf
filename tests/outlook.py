"""Outlook .msg files for tests, written with extract_msg's own OLE writer.

A .msg is an OLE compound file of MAPI property streams; these hold the few that Outlook's own
files always have (message class, subject, body, sender) and plain file attachments.
"""

import io
import struct

from extract_msg.ole_writer import OleWriter

PT_LONG = 0x0003
ATTACH_BY_VALUE = 1


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def _fixed_property(tag: int, kind: int, value: int) -> bytes:
    # A 16-byte entry of a __properties_version1.0 stream: tag, flags, value (8 bytes).
    return struct.pack("<IIQ", (tag << 16) | kind, 0x6, value)


def outlook_msg(
    *,
    subject: str = "Threats at the counter",
    body: str = "He shouted at staff on 3 March.",
    sender: str = "Sam Okafor",
    attachments: tuple[tuple[str, bytes], ...] = (),
) -> bytes:
    writer = OleWriter()
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(f"__nameid_version1.0/{stream}", data=b"")
    # The top-level property stream's header: reserved, next ids, counts, reserved.
    header = struct.pack("<8sIIII8s", b"", 0, len(attachments), 0, len(attachments), b"")
    writer.addEntry("__properties_version1.0", data=header)
    writer.addEntry("__substg1.0_001A001F", data=_text("IPM.Note"))
    writer.addEntry("__substg1.0_0037001F", data=_text(subject))
    writer.addEntry("__substg1.0_1000001F", data=_text(body))
    writer.addEntry("__substg1.0_0C1A001F", data=_text(sender))
    for number, (name, data) in enumerate(attachments):
        folder = f"__attach_version1.0_#{number:08X}"
        writer.addEntry(folder, storage=True)
        writer.addEntry(
            f"{folder}/__properties_version1.0",
            data=b"\0" * 8 + _fixed_property(0x3705, PT_LONG, ATTACH_BY_VALUE),
        )
        writer.addEntry(f"{folder}/__substg1.0_37010102", data=data)
        writer.addEntry(f"{folder}/__substg1.0_3707001F", data=_text(name))
        writer.addEntry(f"{folder}/__substg1.0_3704001F", data=_text(name))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
