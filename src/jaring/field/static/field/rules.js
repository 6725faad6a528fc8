// The rules the field desk applies on the phone, offline: reading a NIK and pricing contribution months
// from the cached schedule. They are jaring's Python rules (rules/nik.py, rules/rates.py) written again;
// tests/vectors/field_rules.json holds the cases both test suites check, so the two cannot drift.
// Money is whole rupiah: rates and factors are decimal text, multiplied exactly (BigInt fractions) and
// rounded half up once per programme, as the server does.

export const FEMALE_DAY_OFFSET = 40;
const SEPARATORS = /[\s.\-]+/g;
const ORDER = ["JKK", "JKM", "JHT"];

function isDate(year, month, day) {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function iso(year, month, day) {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function centuryYear(yy, month, day, declared, today) {
  // Two digits cannot say the century: a declared birth date with the same two digits settles it,
  // otherwise the most recent year that does not put the birth in the future.
  if (declared && Number(declared.slice(0, 4)) % 100 === yy) return Number(declared.slice(0, 4));
  const now = today.split("-").map(Number);
  return compare([2000 + yy, month, day], now) <= 0 ? 2000 + yy : 1900 + yy;
}

function compare(a, b) {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/**
 * Reads a NIK and reports every problem found, with the codes of rules/nik.py: errors `length`,
 * `not_digits`, `birth_date_invalid`, `serial_zero`, `province_unknown`, `birth_date_mismatch`,
 * `sex_mismatch`; warning `district_unknown`. `regions` ({provinces: Set, districts: Set}) is the
 * region table the phone holds; `today` is YYYY-MM-DD.
 */
export function parseNik(text, { regions = null, declaredBirthDate = null, declaredSex = null, today } = {}) {
  const raw = String(text ?? "");
  const nik = raw.length === 16 && /^[0-9]+$/.test(raw) ? raw : raw.replace(SEPARATORS, "");
  const problems = [];
  if (nik && !/^[0-9]+$/.test(nik)) problems.push({ code: "not_digits", severity: "error" });
  if (nik.length !== 16) problems.push({ code: "length", severity: "error" });
  if (problems.length) {
    return { nik, province: "", regency: "", district: "", birthDate: null, sex: null, serial: "", problems, valid: false };
  }
  const province = nik.slice(0, 2);
  const regency = `${province}.${nik.slice(2, 4)}`;
  const district = `${regency}.${nik.slice(4, 6)}`;
  const codedDay = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  const serial = nik.slice(12, 16);
  let sex = null;
  let day = codedDay;
  if (codedDay >= 1 && codedDay <= 31) sex = "M";
  else if (codedDay >= 1 + FEMALE_DAY_OFFSET && codedDay <= 31 + FEMALE_DAY_OFFSET) {
    sex = "F";
    day = codedDay - FEMALE_DAY_OFFSET;
  }
  let birthDate = null;
  if (sex !== null && month >= 1 && month <= 12) {
    const year = centuryYear(yy, month, day, declaredBirthDate, today);
    if (isDate(year, month, day)) birthDate = iso(year, month, day);
  }
  if (birthDate === null) problems.push({ code: "birth_date_invalid", severity: "error" });
  if (serial === "0000") problems.push({ code: "serial_zero", severity: "error" });
  if (regions) {
    if (!regions.provinces.has(province)) problems.push({ code: "province_unknown", severity: "error" });
    else if (!regions.districts.has(district)) problems.push({ code: "district_unknown", severity: "warning" });
  }
  if (declaredBirthDate && birthDate && birthDate !== declaredBirthDate) {
    problems.push({ code: "birth_date_mismatch", severity: "error" });
  }
  if (declaredSex && sex && sex !== declaredSex) problems.push({ code: "sex_mismatch", severity: "error" });
  const valid = !problems.some((problem) => problem.severity === "error");
  return { nik, province, regency, district, birthDate, sex, serial, problems, valid };
}

// -- prices ---------------------------------------------------------------------------------------------

function fraction(text) {
  // "0.01" -> [1n, 100n]; "6800" -> [6800n, 1n]
  const [whole, part = ""] = String(text).split(".");
  return [BigInt(whole + part), 10n ** BigInt(part.length)];
}

function roundHalfUp(numerator, denominator) {
  return Number((2n * numerator + denominator) / (2n * denominator));
}

function monthIndex(month) {
  const [year, number] = month.split("-").map(Number);
  return year * 12 + number - 1;
}

export function monthOf(index) {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

export function addMonths(month, count) {
  return monthOf(monthIndex(month) + count);
}

function inForce(rule, month) {
  const at = monthIndex(month);
  return monthIndex(rule.valid_from) <= at && (rule.valid_to == null || at <= monthIndex(rule.valid_to));
}

/**
 * What one contribution month costs at a declared income for "JKK+JKM" or "JKK+JKM+JHT", with the
 * schedule and adjustments in force for that month (the rate book's JSON, as rules/data/bpu_rates.json
 * holds it and the field desk caches it). Returns {month, lines: {JKK, JKM, JHT?}, total}.
 */
export function priceMonth(book, month, { income, programmes, payerKind = null }) {
  const schedule = book.schedules.find((rule) => inForce(rule, month));
  if (!schedule) throw new Error(`no contribution schedule is in force for ${month}`);
  const chosen = new Set(String(programmes).split("+"));
  const adjustments = (book.adjustments || []).filter(
    (rule) => inForce(rule, month) && (payerKind === null || !(rule.exempt_payer_kinds || []).includes(payerKind)),
  );
  const lines = {};
  let total = 0;
  for (const programme of ORDER) {
    if (!chosen.has(programme)) continue;
    let [numerator, denominator] = programme in (schedule.percent || {})
      ? fraction(schedule.percent[programme])
      : [BigInt(schedule.flat[programme]), 1n];
    if (programme in (schedule.percent || {})) numerator *= BigInt(income);
    for (const adjustment of adjustments) {
      if (!adjustment.programmes.includes(programme)) continue;
      const [n, d] = fraction(adjustment.factor);
      numerator *= n;
      denominator *= d;
    }
    lines[programme] = roundHalfUp(numerator, denominator);
    total += lines[programme];
  }
  return { month, lines, total };
}

/** What `count` consecutive months from `first` cost, each priced by its own month's rules: a quote. */
export function price(book, first, count, options) {
  const months = [];
  for (let offset = 0; offset < count; offset += 1) months.push(priceMonth(book, addMonths(first, offset), options));
  return { months, total: months.reduce((sum, month) => sum + month.total, 0), quote: true };
}
