from django.core.exceptions import ValidationError

from jaring.common.commands import JaringCommand
from jaring.contributions.queries import ratebook, wage_ratebook
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.programmes import format_programmes, parse_programmes
from jaring.rules.wage_rates import SIZES, WageRuleMissing


class Command(JaringCommand):
    help = (
        "Price contribution months: `jaring price --income 1000000 --programmes JKK,JKM --month 2024-05` "
        "(BPU), or `jaring price --segment PU --wage 5000000 --risk-class 1 --size large --month 2024-05` "
        "(a wage earner: each programme's line with who pays it)."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("--segment", choices=["BPU", "PU"], default="BPU", help="BPU (default) or PU")
        parser.add_argument("--month", required=True, help="first contribution month, YYYY-MM")
        parser.add_argument("--months", type=int, default=1, help="number of months (default 1)")
        parser.add_argument("--income", type=int, help="BPU: declared monthly income, rupiah")
        parser.add_argument("--programmes", help="BPU: JKK,JKM or JKK,JKM,JHT")
        parser.add_argument("--payer-kind", choices=["APBD", "APBN", "DONOR", "EMPLOYER"], default=None)
        parser.add_argument("--wage", type=int, help="PU: monthly wage, rupiah")
        parser.add_argument("--risk-class", type=int, help="PU: the employer's work-accident risk class, 1-5")
        parser.add_argument("--size", choices=SIZES, help="PU: the employer's size class")

    def run(self, *args, segment, month, months, json, **options):
        try:
            first = Month.parse(month)
        except ValueError as error:
            raise ValidationError({"month": [str(error)]}) from None
        if segment == "PU":
            return self._wage(first, months, json=json, **options)
        return self._bpu(first, months, json=json, **options)

    def _bpu(self, first, months, *, income, programmes, payer_kind, json, **options):
        errors = {}
        if income is None:
            errors["income"] = ["--income is required for a BPU price"]
        if not programmes:
            errors["programmes"] = ["--programmes is required for a BPU price"]
        else:
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

    def _wage(self, first, months, *, wage, risk_class, size, json, **options):
        errors = {}
        for name, value in (("wage", wage), ("risk_class", risk_class), ("size", size)):
            if value is None:
                errors[name] = [f"--{name.replace('_', '-')} is required for a PU price"]
        if errors:
            raise ValidationError(errors)
        book = wage_ratebook()
        prices = []
        for offset in range(months):
            month = first + offset
            try:
                if problems := book.wage_problems(month, wage):
                    raise ValidationError({"wage": problems})
                prices.append(book.price_month(month, wage=wage, risk_class=risk_class, size=size))
            except WageRuleMissing as missing:
                raise ValidationError({"month": [str(missing)]}) from None
            except ValueError as error:
                field = "risk_class" if "risk class" in str(error) else "size"
                raise ValidationError({field: [str(error)]}) from None
        data = {
            "segment": "PU",
            "wage": wage,
            "risk_class": risk_class,
            "size": size,
            "months": [price.as_dict() for price in prices],
            "billed": sum(price.billed for price in prices),
            "total": sum(price.total for price in prices),
        }
        if json:
            self.emit(data)
            return
        for price in prices:
            self.stdout.write(f"{price.month} (wage {format_rupiah(wage)}, risk class {risk_class}, {size}):")
            for line in price.lines:
                percent = f"{line.rate * 100:.2f} %"
                note = f", {line.note}" if line.note else ""
                self.stdout.write(
                    f"  {line.programme:<4} {line.payer.value:<10} {percent:>7} of {format_rupiah(line.base)}"
                    f" = {format_rupiah(line.amount)}{note}"
                )
            self.stdout.write(
                f"  employer {format_rupiah(price.paid_by('employer'))}, worker "
                f"{format_rupiah(price.paid_by('worker'))}, billed {format_rupiah(price.billed)}; government "
                f"{format_rupiah(price.paid_by('government'))}"
            )
        self.stdout.write(f"billed: {format_rupiah(data['billed'])}")
