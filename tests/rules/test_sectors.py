from jaring.rules.sectors import RISK_CLASSES, sectors


def test_every_kbli_section_has_a_risk_class_from_1_to_5():
    found = sectors()
    assert list(found) == [chr(code) for code in range(ord("A"), ord("U") + 1)]
    assert {sector.risk_class for sector in found.values()} <= set(RISK_CLASSES)
    assert found["F"].risk_class == 5 and found["G"].risk_class == 1  # construction, trade
