from django.core.exceptions import ValidationError

from jaring.common.commands import JaringCommand
from jaring.contributions.queries import ratebook
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.programmes import format_programmes, parse_programmes


class Command(JaringCommand):
    help = "Price contribution months: `jaring price --income 1000000 --programmes JKK,JKM --month 2024-05`."

    def add_command_arguments(self, parser):
        parser.add_argument("--income", required=True, type=int, help="declared monthly income, rupiah")
        parser.add_argument("--programmes", required=True, help="JKK,JKM or JKK,JKM,JHT")
        parser.add_argument("--month", required=True, help="first contribution month, YYYY-MM")
        parser.add_argument("--months", type=int, default=1, help="number of months (default 1)")
        parser.add_argument("--payer-kind", choices=["APBD", "APBN", "DONOR", "EMPLOYER"], default=None)

    def run(self, *args, income, programmes, month, months, payer_kind, json, **options):
        errors = {}
        try:
            first = Month.parse(month)
        except ValueError as error:
            errors["month"] = [str(error)]
        try:
            chosen = parse_programmes(programmes)
        except ValueError as error:
            errors["programmes"] = [str(error)]
        if not errors and (problems := ratebook().income_problems(first, income)):
            errors["income"] = problems
        if errors:
            raise ValidationError(errors)
        price = ratebook().price(first, months, income=income, programmes=chosen, payer_kind=payer_kind)
        data = price.as_dict()
        lines: dict[str, int] = {}
        for line in price.months:
            for code, amount in line.lines.items():
                lines[str(code)] = lines.get(str(code), 0) + amount
        data.update({"income": income, "programmes": format_programmes(chosen), "lines": lines})
        if json:
            self.emit(data)
            return
        for line in price.months:
            parts = ", ".join(f"{code} {format_rupiah(amount)}" for code, amount in line.lines.items())
            self.stdout.write(f"{line.month}: {format_rupiah(line.total)} ({parts})")
        self.stdout.write(f"total: {format_rupiah(price.total)}")
