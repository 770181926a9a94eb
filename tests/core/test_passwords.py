"""The policy for new passwords/passphrases and the scrypt KDF (core/passwords.py)."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from cannngheo_desktop.core import passwords
from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.paths import resource_path

CHEAP_N = 2**8  # KDF behaviour tests; the real cost is checked once below


def check(secret: str, names: tuple[str, ...] = ()) -> None:
    passwords.check_new_secret(secret, what="mật khẩu", field="password", names=names)


def test_length_boundary_nine_refused_ten_accepted():
    with pytest.raises(ValidationError) as exc:
        check("tr0ng-xom")  # 9 characters
    assert exc.value.field == "password"
    assert "ít nhất 10 ký tự" in exc.value.message and "đang có 9" in exc.value.message
    check("tr0ng-xom1")  # 10 characters
    check("nhà tôi ở thôn 3")


def test_length_counts_characters_not_bytes_or_nfd_marks():
    # 10 Vietnamese letters typed decomposed (NFD) are still 10 characters, not 15+
    word = unicodedata.normalize("NFD", "Đường làng")
    assert len(word) > 10
    check(word)
    with pytest.raises(ValidationError, match="đang có 9"):
        check(unicodedata.normalize("NFD", "Đường lan"))


def test_the_shipped_list_is_a_few_hundred_and_holds_vietnamese_ones():
    lines = [line for line in resource_path("common_passwords.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert 300 <= len(lines) <= 2000
    common = passwords.common_passwords()
    for word in ("matkhau123", "123456789", "abc123456", "quantri", "admin123", "1234567890"):
        assert word in common


@pytest.mark.parametrize("secret", ["matkhau123", "MatKhau123", "Mật khẩu 123", "MẬT KHẨU 123",
                                    unicodedata.normalize("NFD", "mật khẩu 123"), "anh yêu em 123",
                                    "QWERTYUIOP", "Password123", "1234567890", "việt nam 2024",
                                    "quantrivien123"])
def test_common_passwords_refused_whatever_the_case_marks_or_spaces(secret):
    with pytest.raises(ValidationError) as exc:
        check(secret)
    assert "phổ biến" in exc.value.message
    assert secret not in exc.value.message  # the secret itself is never echoed


def test_near_misses_of_the_list_are_accepted():
    check("matkhau123-thon-3")
    check("cum-mat-khau-1")


def test_too_few_distinct_characters():
    with pytest.raises(ValidationError, match="quá đơn giản"):
        check("aaaaaaaaaaaa")
    with pytest.raises(ValidationError, match="quá đơn giản"):
        check("abababababab")
    check("abcdabcdabcd")


def test_secret_must_not_equal_or_contain_a_name():
    with pytest.raises(ValidationError, match="'canbo'"):
        check("canbo-xa-2026", names=("canbo",))
    with pytest.raises(ValidationError, match="UBND xã Tân Hòa"):
        check("ubnd xa tan hoa!!", names=("canbo", "UBND xã Tân Hòa"))
    with pytest.raises(ValidationError, match="Trần Thị Bình"):
        check("TRANTHIBINH-1975", names=("Trần Thị Bình",))
    # a short name (a unit code '020') is not looked for: it would refuse too much
    check("duong-020-ra-dong", names=("020",))
    check("nhà tôi ở thôn 3", names=("canbo", "", "UBND xã Tân Hòa"))


def test_too_long_and_not_text():
    check("abc1" * 256)  # 1024 characters
    with pytest.raises(ValidationError, match="dài quá 1024"):
        check("abc1" * 256 + "z")
    with pytest.raises(ValidationError):
        passwords.check_new_secret(None, what="mật khẩu", field="password")  # type: ignore[arg-type]


def test_kdf_is_deterministic_per_salt_and_different_across_salts():
    a = passwords.derive_key("cum-mat-khau-1", b"\x01" * 16, n=CHEAP_N)
    b = passwords.derive_key("cum-mat-khau-1", b"\x01" * 16, n=CHEAP_N)
    c = passwords.derive_key("cum-mat-khau-1", b"\x02" * 16, n=CHEAP_N)
    d = passwords.derive_key("cum-mat-khau-2", b"\x01" * 16, n=CHEAP_N)
    assert len(a) == 32 and a == b and a != c and a != d
    assert passwords.derive_key("cum-mat-khau-1", b"\x01" * 16, n=CHEAP_N * 2) != a


def test_kdf_normalises_to_nfc():
    salt = b"s" * 16
    nfc = unicodedata.normalize("NFC", "mật khẩu của xã")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert passwords.derive_key(nfd, salt, n=CHEAP_N) == passwords.derive_key(nfc, salt, n=CHEAP_N)
    # and it is plain scrypt over the NFC bytes (other tools can reproduce it)
    assert passwords.derive_key(nfd, salt, n=CHEAP_N) == hashlib.scrypt(
        nfc.encode("utf-8"), salt=salt, n=CHEAP_N, r=8, p=1, dklen=32)


def test_kdf_default_cost_is_current_guidance():
    assert passwords.SCRYPT_N == 2**17 and passwords.SCRYPT_N >= 2**17
    # the real cost runs (needs maxmem above OpenSSL's 32 MiB default)
    key = passwords.derive_key("cum-mat-khau-1", b"\x03" * 16)
    assert key == hashlib.scrypt(b"cum-mat-khau-1", salt=b"\x03" * 16, n=2**17, r=8, p=1,
                                 maxmem=256 << 20, dklen=32)


def test_kdf_refuses_a_cost_that_is_not_a_power_of_two():
    with pytest.raises(ValueError):
        passwords.derive_key("x", b"s" * 16, n=1000)
    with pytest.raises(ValueError):
        passwords.derive_key("x", b"s" * 16, n=CHEAP_N, r=0)
