"""Code-point classes: the table lookup of ``class_bytes`` against ``char_class_byte`` of every character."""

import numpy as np

from newsseg.kernels.code_points import char_class_byte, class_bytes


def test_class_bytes_of_every_character_are_char_class_byte():
    # The Basic Multilingual Plane (looked up in a table) and a sample beyond it (classified one by one).
    codes = np.r_[np.arange(0x10000), np.arange(0x10000, 0x110000, 251)].astype(np.uint32)
    assert class_bytes(codes).tolist() == [char_class_byte(chr(code)) for code in codes.tolist()]
