"""Pure domain rules of jaring: no Django, no database, no clock unless one is passed in.

``months`` is the calendar-month value type; ``money`` holds exact rupiah arithmetic and formatting;
``nik`` parses and validates the 16-digit NIK; ``participant_number`` turns a database sequence into an
11-digit participant number with a Luhn check digit and back; ``programmes`` names and parses JKK, JKM
and JHT; ``schedules`` holds the effective-dated rule values (contribution schedules, adjustments,
coverage policies) and ``rates`` prices contribution months from them, loading them from data
(``data/bpu_rates.json`` or database rows); ``coverage`` does the arithmetic of covered months,
arrears, lapse and which months a payment buys.
"""
