"""Masking of personal data (UU 27/2022) for lists, logs and exports."""


def mask_nik(nik: str) -> str:
    """Keeps the district prefix and the serial, hides the birth date: ``640101******0003``."""
    if not nik or len(nik) != 16:
        return "*" * len(nik or "")
    return f"{nik[:6]}******{nik[12:]}"


def mask_phone(phone: str) -> str:
    """Keeps the last three digits: ``*********123``."""
    if not phone:
        return ""
    return "*" * max(len(phone) - 3, 0) + phone[-3:]


def mask_name(name: str) -> str:
    """Keeps each word's first letter, as a channel's inquiry shows whom a code names: ``S*** W******``."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in str(name or "").split())
