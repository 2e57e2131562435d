#!/usr/bin/env python3
"""Writes three made-up tables to try nnc on: a classification with word
labels and features on very different scales, a regression, and a binary
classification. Deterministic: the same files on every run.

usage: python3 make_tables.py [FOLDER]   (default: the current folder)
"""
import math
import os
import random
import sys


def customers(path, rows=5000):
    """Tiers from income (tens of thousands), age and a score in [0, 1];
    semicolon-separated, labels quoted, a header."""
    rnd = random.Random(1)
    with open(path, "w") as f:
        f.write("income;age;score;visits;tier\n")
        for _ in range(rows):
            income = rnd.uniform(8000, 120000)
            age = rnd.uniform(18, 90)
            score = rnd.random()
            visits = rnd.randint(0, 40)
            v = income / 60000 + score - age / 90 + visits / 80 + rnd.gauss(0, 0.08)
            tier = "gold" if v > 1.5 else "silver" if v > 0.7 else "bronze"
            f.write(f'{income:.0f};{age:.1f};{score:.3f};{visits};"{tier}"\n')


def houses(path, rows=8000):
    """Prices (in thousands) from area, rooms, age and distance, with noise;
    an id column to leave out."""
    rnd = random.Random(2)
    with open(path, "w") as f:
        f.write("id,area_m2,rooms,age_years,distance_km,price_k\n")
        for i in range(rows):
            area = rnd.uniform(30, 250)
            rooms = max(1, round(area / 30 + rnd.gauss(0, 0.7)))
            age = rnd.uniform(0, 100)
            dist = rnd.uniform(0.5, 40)
            price = (2.2 * area + 15 * rooms - 0.8 * age + 250 * math.exp(-dist / 8)
                     + rnd.gauss(0, 10))
            f.write(f"{i},{area:.1f},{rooms},{age:.0f},{dist:.2f},{price:.1f}\n")


def sensors(path, rows=6000):
    """Faulty or fine from six tab-separated readings; no header."""
    rnd = random.Random(3)
    with open(path, "w") as f:
        for _ in range(rows):
            r = [rnd.gauss(0, 1) for _ in range(6)]
            faulty = (r[0] * r[1] + 0.5 * r[2] ** 2 - r[3] + rnd.gauss(0, 0.2)) > 0.5
            f.write("\t".join(["faulty" if faulty else "fine"] + [f"{x:.4f}" for x in r]))
            f.write("\n")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    customers(os.path.join(out, "customers.csv"))
    houses(os.path.join(out, "houses.csv"))
    sensors(os.path.join(out, "sensors.tsv"))
