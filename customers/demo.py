"""Realistic Spanish demo customers: valid DNI and CIF control characters, real cities and provinces,
accented names. Deterministic by index, so seeding the same account twice yields the same rows, and the
benchmark loader (bench/) can produce a million of them without a faker."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from stdnum.es import cif, dni
from stdnum.pt import nif as portuguese_nif

from customers.validators import PaymentMethod

FIRST_NAMES = [
    "María", "José", "Lucía", "Javier", "Sofía", "Álvaro", "Martín", "Paula", "Íñigo", "Nuria", "Begoña",
    "Óscar", "Raúl", "Inés", "Andrés", "Ángela", "Jesús", "Mónica", "Tomás", "Noemí", "Carmen", "Sergio",
    "Elena", "Adrián", "Rocío", "Héctor", "Marta", "Iván", "Pilar", "Joaquín",
]  # fmt: skip
SURNAMES = [
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
    "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
    "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano",
    "Blanco", "Molina", "Castillo", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez", "Iglesias", "Medina",
    "Garrido", "Cortés", "Peña", "Ibáñez", "Durán", "Carrasco", "Calvo", "León", "Velázquez", "Saíz",
]  # fmt: skip
COMPANY_ACTIVITIES = [
    "Tecnologías", "Soluciones", "Distribuciones", "Construcciones", "Asesoría", "Consultoría", "Logística",
    "Gestión", "Servicios", "Diseño", "Ingeniería", "Comercial", "Inversiones", "Transportes", "Alimentación",
    "Energías", "Reformas", "Óptica", "Panadería", "Climatización", "Eléctrica", "Informática",
]  # fmt: skip
COMPANY_PLACES = [
    "del Sur", "Levante", "Ibérica", "Atlántica", "Mediterránea", "del Norte", "Castellana", "Andaluza",
    "Galaica", "Cantábrica", "Peninsular", "del Ebro", "de la Sierra", "Balear", "Canaria", "Manchega",
]  # fmt: skip
# (city, province, two first digits of its postal codes, landline prefix)
PLACES = [
    ("Madrid", "Madrid", "28", "91"), ("Barcelona", "Barcelona", "08", "93"), ("Valencia", "Valencia", "46", "96"),
    ("Sevilla", "Sevilla", "41", "95"), ("Zaragoza", "Zaragoza", "50", "976"), ("Málaga", "Málaga", "29", "95"),
    ("Murcia", "Murcia", "30", "968"), ("Palma", "Illes Balears", "07", "971"),
    ("Las Palmas de Gran Canaria", "Las Palmas", "35", "928"), ("Bilbao", "Bizkaia", "48", "94"),
    ("Alicante", "Alicante", "03", "96"), ("Córdoba", "Córdoba", "14", "957"),
    ("Valladolid", "Valladolid", "47", "983"), ("Vigo", "Pontevedra", "36", "986"), ("Gijón", "Asturias", "33", "985"),
    ("A Coruña", "A Coruña", "15", "981"), ("Vitoria-Gasteiz", "Araba", "01", "945"),
    ("Granada", "Granada", "18", "958"), ("Elche", "Alicante", "03", "96"), ("Oviedo", "Asturias", "33", "985"),
    ("Cádiz", "Cádiz", "11", "956"), ("Jaén", "Jaén", "23", "953"), ("Ávila", "Ávila", "05", "920"),
    ("León", "León", "24", "987"), ("Logroño", "La Rioja", "26", "941"), ("Cáceres", "Cáceres", "10", "927"),
    ("Almería", "Almería", "04", "950"), ("Castellón de la Plana", "Castellón", "12", "964"),
    ("San Sebastián", "Gipuzkoa", "20", "943"), ("Pamplona", "Navarra", "31", "948"),
    ("Salamanca", "Salamanca", "37", "923"), ("Santander", "Cantabria", "39", "942"),
]  # fmt: skip
STREETS = [
    "Calle Mayor", "Avenida de la Constitución", "Calle Real", "Plaza de España", "Calle de Alcalá",
    "Paseo de la Castellana", "Avenida Diagonal", "Calle San Martín", "Calle Nueva", "Ronda de Toledo",
    "Calle del Pilar", "Avenida de Andalucía", "Gran Vía", "Calle Colón", "Travesía del Carmen",
    "Polígono Industrial Norte", "Calle de la Iglesia", "Camino Viejo de Málaga",
]  # fmt: skip
EMAIL_DOMAINS = ["gmail.com", "hotmail.es", "yahoo.es", "outlook.es", "telefonica.net"]
FLOORS = ["1º", "2º", "3º", "4º", "5º", "Bajo", "Ático"]
DOORS = ["A", "B", "C", "D", "Izda.", "Dcha."]


@dataclass(frozen=True)
class DemoCustomer:
    legal_name: str
    nif: str
    email: str
    phone: str
    street: str
    number: str
    floor: str
    door: str
    postal_code: str
    city: str
    province: str
    active: bool
    invoice_count: int
    # The rest of the record (issue #14), as model fields: a foreign customer's alternative id and address
    # country, billing details.
    record: dict[str, Any] = field(default_factory=dict)


def _ascii_slug(text: str) -> str:
    from customers.validators import fold

    return "".join(char for char in fold(text) if char.isalnum())


def demo_customer(index: int, *, inactive_share: float = 0.2, invoiced_share: float = 0.1) -> DemoCustomer:
    """The index-th demo customer. NIFs are unique per index (7919 is prime, so coprime with 10^7 and
    10^8). Inactive customers never have invoices: the service rules make that state impossible."""
    rng = random.Random(index)
    city, province, postal_prefix, landline = rng.choice(PLACES)
    if rng.random() < 0.6:
        first, surname1, surname2 = rng.choice(FIRST_NAMES), rng.choice(SURNAMES), rng.choice(SURNAMES)
        legal_name = f"{first} {surname1} {surname2}"
        number = f"{(index * 7919 + 10_000_000) % 100_000_000:08d}"
        nif = number + dni.calc_check_digit(number)
        email = f"{_ascii_slug(first)}.{_ascii_slug(surname1)}{index}@{rng.choice(EMAIL_DOMAINS)}"
        phone = f"+346{rng.randrange(10_000_000, 100_000_000)}"
    else:
        activity, place = rng.choice(COMPANY_ACTIVITIES), rng.choice(COMPANY_PLACES)
        form, letter = rng.choice([("SL", "B"), ("SL", "B"), ("SA", "A")])
        legal_name = f"{activity} {place} {form}"
        digits = f"{(index * 7919) % 10_000_000:07d}"
        nif = letter + digits + cif.calc_check_digits(letter + digits)[0]
        email = f"contabilidad{index}@{_ascii_slug(activity)}{_ascii_slug(place)}.es"
        local_digits = [str(rng.randrange(2, 10))] + [str(rng.randrange(10)) for _ in range(8 - len(landline))]
        phone = "+34" + landline + "".join(local_digits)
    active = rng.random() >= inactive_share
    invoiced = active and rng.random() < invoiced_share / (1 - inactive_share)
    record = _foreign(index, rng) if index % 10 == 7 else {}
    if index % 4 == 1:
        record.update(_billing(index, rng, email))
    demo = DemoCustomer(
        legal_name=legal_name,
        nif=nif,
        email=email,
        phone=phone,
        street=rng.choice(STREETS),
        number=str(rng.randrange(1, 200)),
        floor=rng.choice(FLOORS) if rng.random() < 0.4 else "",
        door=rng.choice(DOORS) if rng.random() < 0.4 else "",
        postal_code=f"{postal_prefix}{rng.randrange(0, 1000):03d}",
        city=city,
        province=province,
        active=active,
        invoice_count=rng.randrange(1, 4) if invoiced else 0,
    )
    # The record's fields override the Spanish defaults above (a foreign customer has no NIF).
    overrides = {name: record.pop(name) for name in list(record) if name in DemoCustomer.__dataclass_fields__}
    return replace(demo, **overrides, record=record)


# One customer in ten is abroad, identified by AEAT's alternative id instead of a NIF: (type, country code,
# its name in Spanish, city, region).
FOREIGN_PLACES = [
    ("02", "PT", "Portugal", "Lisboa", "Lisboa"),
    ("03", "US", "Estados Unidos", "Nueva York", "Nueva York"),
    ("04", "MA", "Marruecos", "Casablanca", "Casablanca-Settat"),
]


def _foreign(index: int, rng: random.Random) -> dict[str, Any]:
    kind, code, country, city, region = FOREIGN_PLACES[index // 10 % len(FOREIGN_PLACES)]
    if kind == "02":
        digits = f"{5_0000000 + index * 7919 % 1_0000000:08d}"
        number = "PT" + digits + portuguese_nif.calc_check_digit(digits)
    else:
        number = f"{code}{index * 7919 % 100_000_000:08d}"
    return {
        "nif": "",
        "alternative_id_type": kind,
        "alternative_id_number": number,
        "alternative_id_country": code,
        "country_code": code,
        "country": country,
        "city": city,
        "province": region,
        "phone": "",
    }


def _billing(index: int, rng: random.Random, email: str) -> dict[str, Any]:
    return {
        "billing_emails": [f"facturas{index}@{email.rsplit('@', 1)[1]}"],
        "contact_person": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
        "general_discount": rng.choice([0, 5, 10]),
        "payment_method": PaymentMethod.BANK_TRANSFER,
        "payment_term_days": rng.choice([0, 30, 60]),
        "metadata": {"origen": "demo"},
    }


def demo_customers(start: int, stop: int, **shares) -> Iterator[DemoCustomer]:
    for index in range(start, stop):
        yield demo_customer(index, **shares)
