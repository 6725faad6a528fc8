from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand
from jaring.outreach import paritrana
from jaring.outreach.paritrana_queries import (
    paritrana_ranking,
    paritrana_score,
    region_find,
    score_month,
    weights_in_force,
)
from jaring.outreach.paritrana_services import interview_set, paritrana_weights_set
from jaring.regions.models import Region
from jaring.rules.months import Month


class Command(JaringCommand):
    help = (
        "The Paritrana score of provinces and regencies/cities: `jaring paritrana score --year Y "
        "[--region CODE | --regencies [--province CODE]]`, `jaring paritrana weights show|set`, "
        "`jaring paritrana interview --region CODE --year Y --score N`; each with --json."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="one region's score with its arithmetic, or a ranking")
        score.add_argument("--year", type=int, help="the year scored (default: this year)")
        score.add_argument("--region", default="", help="a province (64) or regency/city (64.71) code")
        score.add_argument("--regencies", action="store_true", help="rank regencies/cities, not provinces")
        score.add_argument("--province", default="", help="with --regencies: those of this province")
        weights = sub.add_parser("weights", help="the weights in force, or a new weight set")
        weights.add_argument("what", choices=("show", "set"), nargs="?", default="show")
        weights.add_argument("--month", default="", help="show: in force in YYYY-MM; set: from YYYY-MM")
        for name in paritrana.CRITERIA:
            weights.add_argument(
                f"--{name.replace('_', '-')}", dest=name, default=None, help="% of the score"
            )
        weights.add_argument("--source", default="")
        weights.add_argument("--note", default="")
        interview = sub.add_parser("interview", help="record the panel's interview score of a region")
        interview.add_argument("--region", required=True)
        interview.add_argument("--year", required=True)
        interview.add_argument("--score", required=True)
        interview.add_argument("--note", default="")
        for action in (score, weights, interview):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, action)(**options)

    def score(self, *, year, region, regencies, province, json, **_):
        year = year or local_date().year
        if score_month(year) is None:
            raise CommandError(f"{year} is still to come")
        if region:
            found = region_find(region)
            if found is None:
                raise CommandError(f"no province or regency/city with code {region}")
            result = paritrana_score(found, year)
            if result is None:
                raise CommandError("no Paritrana weights in force")
            if json:
                self.emit(result.as_dict())
                return
            self._one(result)
            return
        level = Region.Level.REGENCY if regencies or province else Region.Level.PROVINCE
        ranking = paritrana_ranking(year, level=level, province=province.strip())
        if ranking is None:
            raise CommandError("no Paritrana weights in force")
        if json:
            self.emit(
                {
                    "year": year,
                    "month": str(ranking.month),
                    "weights": ranking.weights.as_dict(),
                    "ranking": [
                        {
                            "rank": s.rank,
                            "region": s.region.code,
                            "name": s.region.name,
                            "score": str(s.total),
                            "groups": {k: str(v) for k, v in s.score.by_group().items()},
                        }
                        for s in ranking.scores
                    ],
                }
            )
            return
        self.stdout.write(
            f"Paritrana {year} (read in {ranking.month}), weights {ranking.weights.code}: "
            f"{ranking.weights.source}"
        )
        for s in ranking.scores:
            self.stdout.write(f"{s.rank:4} {s.region.code:6} {s.total:>7}  {s.region.name}")

    def _one(self, result):
        self.stdout.write(
            f"Paritrana {result.year} {result.region.code} {result.region.name}: {result.total} "
            f"(read in {result.month}; weights {result.weights.code}: {result.weights.source})"
        )
        for line in result.score.lines:
            self.stdout.write(f"  {line.criterion:13} {line.group:15} {line.arithmetic}")
        self.stdout.write(f"  score = {result.score.arithmetic}")
        for source in result.sources:
            self.stdout.write(f"  {source.figure}: {source.value} ({source.source})")

    def weights(self, *, what, month, source, note, json, **options):
        if what == "set":
            given = {name: options.get(name) for name in paritrana.CRITERIA}
            rule = paritrana_weights_set(
                weights=given, valid_from=month, source=source, note=note, actor=Actor.cli()
            )
            month = str(rule.valid_from)
        shown = weights_in_force(Month.parse(month) if month else Month.from_date(local_date()))
        if shown is None:
            raise CommandError("no Paritrana weights in force")
        if json:
            self.emit(shown.as_dict())
            return
        self.stdout.write(f"{shown.code} from {shown.valid_from}: {shown.source}")
        for name, group in paritrana.CRITERIA.items():
            self.stdout.write(
                f"  {name:13} {group:15} weight {shown.weights[name]:>6} %   full marks {shown.full[name]}"
            )
        if shown.note:
            self.stdout.write(f"  {shown.note}")

    def interview(self, *, region, year, score, note, json, **_):
        saved = interview_set(region_code=region, year=year, score=score, note=note, actor=Actor.cli())
        if json:
            self.emit({"ok": True, "region": saved.region_id, "year": saved.year, "score": str(saved.score)})
            return
        self.stdout.write(f"interview {saved.region_id} {saved.year}: {saved.score}")
