import unittest

from double import double


def test_double_four():
    assert double(4) == 8


class TestDouble(unittest.TestCase):
    def test_zero(self):
        self.assertEqual(double(0), 0)

    def test_negative(self):
        self.assertEqual(double(-3), -6)
