"""Code-point classes: the table lookup of ``class_bytes`` against ``char_class_byte`` of every character."""

import numpy as np

from newsseg.kernels.code_points import CodePointBatch, char_class_byte, class_bytes


def test_class_bytes_of_every_character_are_char_class_byte():
    # The Basic Multilingual Plane (looked up in a table) and a sample beyond it (classified one by one).
    codes = np.r_[np.arange(0x10000), np.arange(0x10000, 0x110000, 251)].astype(np.uint32)
    assert class_bytes(codes).tolist() == [char_class_byte(chr(code)) for code in codes.tolist()]


def test_class_bytes_of_the_plane_alone_and_of_nothing():
    # Without a code point beyond the plane, the table is read directly (the common case).
    codes = np.arange(0x10000, dtype=np.uint32)
    assert class_bytes(codes).tolist() == [char_class_byte(chr(code)) for code in codes.tolist()]
    assert class_bytes(np.zeros(0, dtype=np.uint32)).tolist() == []


def test_code_point_batch_is_reused_for_the_same_texts_only():
    lines = ["Sign in", "Héllo 2024"]
    batch = CodePointBatch.of(lines)
    assert batch.codes.tolist() == [ord(c) for c in "Sign in\nHéllo 2024"]
    assert batch.starts.tolist() == [0, 8] and batch.ends.tolist() == [7, 18]
    assert CodePointBatch.of(list(lines)) is batch  # an equal list: the batch kept
    assert CodePointBatch.of(("Sign in", "Héllo 2024")) is batch  # any sequence of the same texts
    other = CodePointBatch.of(["Sign up", "Héllo 2024"])  # same lengths, other text
    assert other is not batch and other.codes[5] == ord("u")
    lines.append("more")  # the caller's list changed after the call: not the kept batch
    assert CodePointBatch.of(lines).ends.tolist() == [7, 18, 23]
