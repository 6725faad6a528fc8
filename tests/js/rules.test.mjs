// The field desk's rules (src/jaring/field/static/field/rules.js) against the vectors the Python rules
// are checked against too (tests/vectors/field_rules.json): run by `node --test tests/js/`, which
// tests/field/test_vectors.py runs as part of scripts/test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";

import { parseNik, price, priceMonth } from "../../src/jaring/field/static/field/rules.js";

const root = new URL("../../", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("tests/vectors/field_rules.json", root), "utf8"));
const book = JSON.parse(readFileSync(new URL("src/jaring/rules/data/bpu_rates.json", root), "utf8"));
const regions = { provinces: new Set(vectors.regions.provinces), districts: new Set(vectors.regions.districts) };

test("every NIK vector reads as the server reads it", () => {
  for (const vector of vectors.niks) {
    const read = parseNik(vector.nik, {
      regions,
      declaredBirthDate: vector.declared_birth_date ?? null,
      declaredSex: vector.declared_sex ?? null,
      today: vectors.today,
    });
    const got = {
      valid: read.valid,
      codes: read.problems.map((problem) => problem.code),
      birth_date: read.birthDate,
      sex: read.sex,
      district: read.district,
    };
    assert.deepEqual(got, vector.expect, `${vector.nik}: ${vector.note}`);
  }
});

test("every price vector is priced as the server prices it", () => {
  for (const vector of vectors.prices) {
    const priced = priceMonth(book, vector.month, {
      income: vector.income,
      programmes: vector.programmes,
      payerKind: vector.payer_kind,
    });
    assert.deepEqual({ lines: priced.lines, total: priced.total }, vector.expect, `${vector.month}: ${vector.note}`);
  }
});

test("a run of months is priced month by month and marked as a quote", () => {
  const quoted = price(book, "2026-01", 3, { income: 1000000, programmes: "JKK+JKM" });
  assert.equal(quoted.quote, true);
  assert.deepEqual(quoted.months.map((month) => month.total), [8400, 16800, 16800]);
  assert.equal(quoted.total, 42000);
});
