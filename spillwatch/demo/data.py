"""Synthetic release files for the demo: an aggregate statistics workbook whose hidden sheet lists
detainees, as in the November 2022 incident.

Every person here is invented: names are drawn at random from short hand-written lists of common
given names and surnames (no real individual's record), birth dates and A-numbers are random.  The
lists live in code because the demo must run from the installed package without test extras.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from openpyxl import Workbook

GIVEN_NAMES = (
    "Maria", "Jose", "Juan", "Ana", "Luis", "Carlos", "Rosa", "Jorge", "Carmen", "Miguel", "Elena", "Pedro",
    "Lucia", "Diego", "Sofia", "Andres", "Isabel", "Fernando", "Gabriela", "Ricardo", "Daniela", "Oscar",
    "Patricia", "Mario", "Veronica", "Hector", "Adriana", "Raul", "Claudia", "Victor", "Samuel", "Grace",
    "Ahmed", "Fatima", "Omar", "Amina", "Ibrahim", "Aisha", "Yusuf", "Mariam", "Arjun", "Priya",
)
FAMILY_NAMES = (
    "Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez", "Sanchez", "Ramirez", "Flores",
    "Torres", "Rivera", "Gomez", "Diaz", "Morales", "Reyes", "Cruz", "Ortiz", "Gutierrez", "Chavez", "Ramos",
    "Mendoza", "Castillo", "Vasquez", "Romero", "Alvarez", "Jimenez", "Moreno", "Herrera", "Medina", "Aguilar",
    "Vargas", "Castro", "Guzman", "Salazar", "Mejia", "Rojas", "Contreras", "Estrada", "Figueroa", "Hassan",
    "Mohamed", "Singh", "Kumar", "Osei", "Mensah",
)
CITIZENSHIPS = ("Mexico", "Guatemala", "Honduras", "El Salvador", "Ecuador", "Colombia", "Venezuela", "Haiti",
                "Cuba", "Nicaragua", "India", "Ghana", "Mauritania", "Brazil")
FACILITIES = ("Northwest Processing Center", "Desert View Detention Facility", "River Bend Processing Center",
              "Pine Ridge Detention Center", "Harbor County Jail", "Eastern Service Processing Center")
DETAINEE_HEADER = ("Last Name", "First Name", "Date of Birth", "Country of Citizenship", "A-Number",
                   "Detention Facility", "Book-in Date", "Case Status")
CASE_STATUSES = ("Pending asylum hearing", "Credible fear review", "Awaiting removal", "Asylum claim filed")


def detainee_rows(count: int, seed: int = 28112022) -> list[tuple[object, ...]]:
    rng = random.Random(seed)
    today = date(2022, 11, 28)
    rows: list[tuple[object, ...]] = []
    for _ in range(count):
        born = today - timedelta(days=rng.randint(18 * 365, 65 * 365))
        booked = today - timedelta(days=rng.randint(1, 400))
        rows.append((
            rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES), born, rng.choice(CITIZENSHIPS),
            f"A{rng.randint(10**8, 10**9 - 1)}", rng.choice(FACILITIES), booked, rng.choice(CASE_STATUSES),
        ))
    return rows


def release_workbook(detainees: int = 1200, seed: int = 28112022) -> bytes:
    """An XLSX whose visible sheet is aggregate and whose hidden sheet lists ``detainees`` people."""
    workbook = Workbook()
    stats = workbook.active
    stats.title = "FY2023 Detention Stats"
    stats.append(("ICE-style detention statistics, FY2023 year to date (synthetic demo data)",))
    stats.append(())
    stats.append(("Country of Citizenship", "Book-ins", "Releases", "Average Length of Stay (days)"))
    rows = detainee_rows(detainees, seed)
    by_country: dict[str, int] = {}
    for row in rows:
        by_country[str(row[3])] = by_country.get(str(row[3]), 0) + 1
    for country, n in sorted(by_country.items(), key=lambda item: -item[1]):
        stats.append((country, n * 9, n * 8, round(20 + (n % 17) * 1.3, 1)))
    stats.append(("Total", sum(by_country.values()) * 9, sum(by_country.values()) * 8, 31.4))
    hidden = workbook.create_sheet("Sheet2")
    hidden.sheet_state = "hidden"
    hidden.append(DETAINEE_HEADER)
    for row in rows:
        hidden.append(row)
    for cell in hidden["C"][1:] + hidden["G"][1:]:
        cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
