from django.core.management.base import CommandError

from jaring.common.commands import JaringCommand, parse_date
from jaring.regions.models import Region
from jaring.regions.queries import region_index
from jaring.rules.nik import Sex, parse_nik


class Command(JaringCommand):
    help = "Check a NIK: `jaring nik check 6471054412850003 [--birth-date 1985-12-04] [--sex F]`."

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["check"])
        parser.add_argument("nik")
        parser.add_argument("--birth-date", help="declared birth date, YYYY-MM-DD")
        parser.add_argument("--sex", choices=["M", "F"], help="declared sex")

    def run(self, *args, action, nik, birth_date, sex, json, **options):
        regions = region_index()
        result = parse_nik(
            nik,
            regions=regions if regions.provinces else None,
            declared_birth_date=parse_date(birth_date) if birth_date else None,
            declared_sex=Sex(sex) if sex else None,
        )
        names = dict(
            Region.objects.filter(
                code__in=[result.province_code, result.regency_code, result.district_code]
            ).values_list("code", "name")
        )
        data = {
            "nik": result.nik,
            "valid": result.valid,
            "province": {"code": result.province_code, "name": names.get(result.province_code)},
            "regency": {"code": result.regency_code, "name": names.get(result.regency_code)},
            "district": {"code": result.district_code, "name": names.get(result.district_code)},
            "birth_date": result.birth_date.isoformat() if result.birth_date else None,
            "sex": str(result.sex) if result.sex else None,
            "serial": result.serial,
            "problems": [
                {"code": p.code, "severity": p.severity, "message": p.message} for p in result.problems
            ],
        }
        if json:
            self.emit(data)
        else:
            self.stdout.write(f"NIK {result.nik}: {'valid' if result.valid else 'INVALID'}")
            if result.birth_date:
                self.stdout.write(f"  born {data['birth_date']}, sex {data['sex']}")
            if result.district_code:
                place = ", ".join(
                    filter(
                        None,
                        [
                            names.get(c)
                            for c in (result.district_code, result.regency_code, result.province_code)
                        ],
                    )
                )
                self.stdout.write(f"  issued in {result.district_code} {place}")
            for problem in result.problems:
                self.stdout.write(f"  {problem.severity}: {problem.message}")
        if not result.valid:
            raise CommandError("invalid NIK", returncode=1)
