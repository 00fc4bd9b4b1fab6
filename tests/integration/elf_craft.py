"""Builds small ELF files with chosen defects for the bad-input tests."""
import struct

EM_AARCH64 = 183
EM_X86_64 = 62


def make_elf(segments, entry=None, machine=EM_AARCH64, elf_class=2, data=1, etype=2):
    """segments: list of (paddr, bytes, memsz). Returns the file's bytes."""
    phoff = 64
    phnum = len(segments)
    offset = phoff + 56 * phnum
    header = b"\x7fELF" + bytes([elf_class, data, 1, 0]) + bytes(8)
    if entry is None:
        entry = segments[0][0] if segments else 0
    header += struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0, 64, 56, phnum,
                          64, 0, 0)
    phdrs = b""
    blobs = b""
    for paddr, blob, memsz in segments:
        phdrs += struct.pack("<IIQQQQQQ", 1, 5, offset + len(blobs), paddr, paddr, len(blob),
                             max(memsz, len(blob)), 0x1000)
        blobs += blob
    return header + phdrs + blobs
