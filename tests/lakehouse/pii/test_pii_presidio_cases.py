"""Valid and invalid values from microsoft/presidio's recogniser tests
(`presidio-analyzer/tests/test_*_recognizer.py`), plus India's formats, through the identifiers the
scrubber, the residual scan and the silver gate share."""

from __future__ import annotations

import polars as pl

from lakehouse.pii.identifiers import BY_ENTITY, find_all, prefilter_regex


def _found(text: str, entity: str) -> list[str]:
    return [text[s:e] for kind, (s, e) in find_all(text) if kind == entity]


VALID: list[tuple[str, str, str]] = [
    # test_credit_card_recognizer.py (Luhn-valid test numbers of each network)
    ("CREDIT_CARD", "{}", "4012888888881881"),
    ("CREDIT_CARD", "{}", "4012-8888-8888-1881"),
    ("CREDIT_CARD", "{}", "4012 8888 8888 1881"),
    ("CREDIT_CARD", "{}", "122000000000003"),
    ("CREDIT_CARD", "my credit card: {}", "122000000000003"),
    ("CREDIT_CARD", "{}", "371449635398431"),
    ("CREDIT_CARD", "{}", "5555555555554444"),
    ("CREDIT_CARD", "{}", "5019717010103742"),
    ("CREDIT_CARD", "{}", "30569309025904"),
    ("CREDIT_CARD", "{}", "6011000400000000"),
    ("CREDIT_CARD", "{}", "3528000700000000"),
    ("CREDIT_CARD", "{}", "6759649826438453"),
    ("CREDIT_CARD", "{}", "4111111111111111"),
    ("CREDIT_CARD", "{}", "4917300800000000"),
    ("CREDIT_CARD", "{}", "4484070000000000"),
    # issue 14: a 2-series Mastercard Presidio's pattern misses
    ("CREDIT_CARD", "billing date of my card {}", "2623322164608847"),
    # test_us_ssn_recognizer.py (the weak 9-digit form needs its context word)
    ("US_SSN", "{}", "078-05-1123"),
    ("US_SSN", "{}", "078.05.1123"),
    ("US_SSN", "{}", "078 05 1123"),
    ("US_SSN", "my ssn is {}", "078051121"),
    ("US_SSN", "His social security number is {}", "853-37-1694"),
    # test_iban_recognizer.py
    ("IBAN", "{}", "GB82WEST12345698765432"),
    ("IBAN", "{}", "GB82 WEST 1234 5698 7654 32"),
    ("IBAN", "{}", "DE89370400440532013000"),
    ("IBAN", "My IBAN is {}", "GB59IFUE40226315499137"),
    # test_phone_recognizer.py
    ("PHONE", "My US number is {}, thanks", "(415) 555-0132"),
    ("PHONE", "my international one is {}", "+1 415 555 0132"),
    ("PHONE", "My Israeli number is {}", "09-7625400"),
    ("PHONE", "_: {}", "(415)555-0132"),
    ("PHONE", "US: {}", "415-555-0132"),
    ("PHONE", "Brazil: {}", "+55 11 98456 5666"),
    # issue 14 / presidio-research: other regions and formats, with their phone words
    ("PHONE", "Desk: {}", "+41 (0)96 471 07 95"),
    ("PHONE", "Fax: {}", "001-420-335-7509x38548"),
    ("PHONE", "Desk: {}", "986.291.2294x751"),
    ("PHONE", "Can someone call me on {}? I have", "(07) 5331 0577"),
    ("PHONE", "{} office", "69 987 88 37"),
    # India
    ("PHONE", "{}", "+91 98765 43210"),
    ("PHONE", "WhatsApp {}", "98765-43210"),
    ("PHONE", "{}", "080-2345 6789"),
    # an unallocated Mumbai landline the generator planted ("My number is ..."): it leaked
    ("PHONE", "My number is {}.", "022-8683-3170"),
    ("PHONE", "मेरा फ़ोन नंबर {} है।", "2345 6789 01"),
    # test_email_recognizer.py / test_ip_recognizer.py / test_url_recognizer.py
    ("EMAIL", "{}", "info@presidio.site"),
    ("EMAIL", "my email is {}.", "LeaVLind@superrito.com"),
    ("IP", "{}", "192.168.0.1"),
    ("IP", "microsoft.com {}", "684D:1111:222:3333:4444:5555:6:77"),
    ("IP", "ip {}", "::"),
    ("URL", "{}", "https://www.microsoft.com/"),
    ("URL", "{}", "http://www.DialForum.co.uk/"),
    ("URL", "visit {} today", "microsoft.com"),
    # test_crypto_recognizer.py
    ("CRYPTO", "{}", "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ"),
    ("CRYPTO", "wallet {}", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    # context-only US ids (presidio-research texts)
    ("DRIVER_LICENSE", "My driver's license number is {}", "481195160"),
    ("PASSPORT", "my passport number is {}", "912803456"),
    ("DATE_OF_BIRTH", "She was born on {}. Her maiden name", "12/27/1986"),
    ("DATE_OF_BIRTH", "Date of birth: {}", "15 August 2009"),
    # India: Aadhaar (Verhoeff), PAN, voter id, passport, vehicle, GSTIN, IFSC, UPI, account
    ("AADHAAR", "{}", "2345 6789 0124"),
    ("PAN", "PAN: {}", "ABCPK1234F"),
    ("VOTER_ID", "EPIC voter id {}", "ABC1234567"),
    ("PASSPORT", "Indian passport {}", "J8369854"),
    ("VEHICLE_REGISTRATION", "{}", "KA01AB1234"),
    ("VEHICLE_REGISTRATION", "my scooter {}", "MH12DE1433"),
    ("GSTIN", "GSTIN {}", "27AAPFU0939F1ZV"),
    ("IFSC", "IFSC {}", "SBIN0001234"),
    ("BANK_ACCOUNT", "account number {}", "123456789012"),
    ("UPI", "pay {} on GPay", "priya.s@oksbi"),
    ("UPI", "UPI: {}", "9876543210@ybl"),
    # street addresses, Indian and international (presidio-research texts)
    ("ADDRESS", "{}", "Flat 3B, 2nd Cross, MG Road, Bengaluru 560001"),
    ("ADDRESS", "My address is {}.", "12 MG Road, Bengaluru - 560 001"),
    ("ADDRESS", "He lives at {}, London", "221B Baker Street"),
    ("ADDRESS", "Filip lives on {} street.", "Nassaustraat 123"),
    ("ADDRESS", "Shelby Araujo lives at {}, Laane", "87 Jakobi 69"),
    ("ADDRESS", "The restaurant is at 19 {}", "1755 Nelson Mandela Drive"),
]

INVALID: list[tuple[str, str]] = [
    # test_credit_card_recognizer.py
    ("CREDIT_CARD", "4012-8888-8888-1882"),
    ("CREDIT_CARD", "my credit card number is 4012-8888-8888-1882"),
    ("CREDIT_CARD", "36168002586008"),
    ("CREDIT_CARD", "my credit card number is 36168002586008"),
    ("CREDIT_CARD", "the ratio is 0.4012888888881881"),  # a decimal's digits
    # test_us_ssn_recognizer.py
    ("US_SSN", "0780511201"),
    ("US_SSN", "078051120"),
    ("US_SSN", "000000000"),
    ("US_SSN", "666000000"),
    ("US_SSN", "078-05-0000"),
    ("US_SSN", "078 00 1123"),
    ("US_SSN", "693-09.4444"),
    ("US_SSN", "the packet count was 078051121"),  # weak form without its context
    # test_iban_recognizer.py: wrong check digits
    ("IBAN", "GB82WEST12345698765433"),
    ("IBAN", "DE89370400440532013001"),
    # issue 13: decimals, ISBNs and years are not phone numbers
    ("PHONE", "the probability value equals to 0.050813731."),
    ("PHONE", "P(B)=0,05081373133 which"),
    ("PHONE", "published as ISBN 0310499615 by"),
    ("PHONE", "ISBN 978-0713490459"),
    ("PHONE", "He murdered 4 girls in 1967-1968. On Feb. 8, 1968 Leroy Martin called"),
    ("PHONE", "Karelia from 1666 until 1681."),
    ("PHONE", "the speed of light is 299792458 m/s"),
    ("PHONE", "Total marks 2345 6789 0123 this term"),
    # e-mail, IP, URL
    ("EMAIL", "my email is info@presidio"),
    ("IP", "version 1.2.3 of the file"),
    ("IP", "section 256.300.1.2"),
    ("URL", "in her late fifties.In the late 1940s"),
    ("URL", "Node.js and file.py"),
    # crypto: a broken checksum
    ("CRYPTO", "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyY"),
    # context-only ids without their context
    ("DRIVER_LICENSE", "the answer is 481195160"),
    ("DRIVER_LICENSE", "the former F1 driver Jonathan Palmer"),
    ("PASSPORT", "the answer is 912803456"),
    ("DATE_OF_BIRTH", "The treaty was signed on 12/27/1986."),
    ("BANK_ACCOUNT", "The sum is 123456789012 in total"),
    # India
    ("AADHAAR", "Total marks 2345 6789 0123 this term"),  # wrong Verhoeff digit
    ("PAN", "Answer: ABCDE1234F"),  # D is no PAN holder type
    ("VEHICLE_REGISTRATION", "ZZ01AB1234"),  # no such state code
    ("UPI", "mail me at priya@school.edu"),
    ("ADDRESS", "within weeks of his premature 1977 death in a road accident."),
    ("ADDRESS", "He finished 3rd and maintained 2nd place in the title race"),
    ("ADDRESS", "IPv4 has only 4 bytes or 32 bits to represent an address: LAN 1"),
    ("ADDRESS", "The Nile is 6650 km long and flows through 11 countries."),
]


def test_presidio_and_indian_valid_values_are_found() -> None:
    """One test over every case (a test per case would spend its time in fixtures)."""
    missed = [
        (entity, template.format(value))
        for entity, template, value in VALID
        if not any(value in span for span in _found(template.format(value), entity))
    ]
    assert missed == []


def test_presidio_and_indian_invalid_values_are_not_found() -> None:
    wrong = [(entity, text) for entity, text in INVALID if _found(text, entity)]
    assert wrong == []


def test_a_date_of_death_is_not_a_date_of_birth() -> None:
    text = "Douglas Dillard (born March 6, 1937, Salem, Missouri - May 16, 2012) on banjo"
    assert _found(text, "DATE_OF_BIRTH") == ["March 6, 1937"]


def test_the_prefilter_never_skips_a_document_with_an_identifier() -> None:
    """The scrubber skips documents its pre-filter (polars, Rust regex) does not match; every
    valid value's document must be matched, by each identifier's own candidates too."""
    texts = [template.format(value) for _, template, value in VALID]
    docs = pl.Series(texts)
    assert docs.str.contains(prefilter_regex((r"[1-4][A-Za-z]{2}\d{2}[A-Za-z]{2,3}\d{3}",))).all()
    for entity, template, value in VALID:
        assert pl.Series([template.format(value)]).str.contains(BY_ENTITY[entity].candidates).all()
