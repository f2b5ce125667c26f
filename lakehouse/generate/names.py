"""Indian given names and surnames, each with its Devanagari spelling.

Small on purpose: a roster draws (given name, surname) pairs from these, so full names repeat across
a large institution the way they do in real ones.
"""

from __future__ import annotations

from typing import Final

GIVEN_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ("Aarav", "आरव"), ("Aditi", "अदिति"), ("Akash", "आकाश"), ("Ananya", "अनन्या"),
    ("Anil", "अनिल"), ("Anjali", "अंजलि"), ("Arjun", "अर्जुन"), ("Bhavana", "भावना"),
    ("Chetan", "चेतन"), ("Deepa", "दीपा"), ("Divya", "दिव्या"), ("Gaurav", "गौरव"),
    ("Harish", "हरीश"), ("Ishita", "इशिता"), ("Karthik", "कार्तिक"), ("Kavya", "काव्या"),
    ("Lakshmi", "लक्ष्मी"), ("Manoj", "मनोज"), ("Meena", "मीना"), ("Mohan", "मोहन"),
    ("Neha", "नेहा"), ("Nikhil", "निखिल"), ("Pooja", "पूजा"), ("Pradeep", "प्रदीप"),
    ("Priya", "प्रिया"), ("Rahul", "राहुल"), ("Rajesh", "राजेश"), ("Ramya", "रम्या"),
    ("Ravi", "रवि"), ("Rohit", "रोहित"), ("Sanjay", "संजय"), ("Shreya", "श्रेया"),
    ("Sneha", "स्नेहा"), ("Suresh", "सुरेश"), ("Swati", "स्वाति"), ("Tanvi", "तन्वी"),
    ("Varun", "वरुण"), ("Vidya", "विद्या"), ("Vijay", "विजय"), ("Yamini", "यामिनी"),
    ("Arun", "अरुण"), ("Bharath", "भरत"), ("Geetha", "गीता"), ("Keerthana", "कीर्तना"),
    ("Murugan", "मुरुगन"), ("Nandini", "नंदिनी"), ("Prakash", "प्रकाश"), ("Sowmya", "सौम्या"),
    ("Tejas", "तेजस"), ("Uma", "उमा"), ("Venkatesh", "वेंकटेश"), ("Zoya", "ज़ोया"),
)  # fmt: skip

SURNAMES: Final[tuple[tuple[str, str], ...]] = (
    ("Sharma", "शर्मा"), ("Verma", "वर्मा"), ("Gupta", "गुप्ता"), ("Singh", "सिंह"),
    ("Kumar", "कुमार"), ("Patel", "पटेल"), ("Reddy", "रेड्डी"), ("Rao", "राव"),
    ("Iyer", "अय्यर"), ("Iyengar", "अयंगर"), ("Nair", "नायर"), ("Menon", "मेनन"),
    ("Hegde", "हेगड़े"), ("Shetty", "शेट्टी"), ("Gowda", "गौड़ा"), ("Kulkarni", "कुलकर्णी"),
    ("Joshi", "जोशी"), ("Deshpande", "देशपांडे"), ("Mishra", "मिश्रा"), ("Pandey", "पांडे"),
    ("Yadav", "यादव"), ("Chauhan", "चौहान"), ("Banerjee", "बनर्जी"), ("Mukherjee", "मुखर्जी"),
    ("Das", "दास"), ("Bose", "बोस"), ("Pillai", "पिल्लई"), ("Subramanian", "सुब्रमण्यम"),
    ("Krishnan", "कृष्णन"), ("Naidu", "नायडू"), ("Bhat", "भट"), ("Kamath", "कामत"),
    ("Agarwal", "अग्रवाल"), ("Malhotra", "मल्होत्रा"), ("Khan", "ख़ान"), ("Fernandes", "फ़र्नांडिस"),
    ("Chatterjee", "चटर्जी"), ("Srinivasan", "श्रीनिवासन"), ("Tiwari", "तिवारी"), ("Saxena", "सक्सेना"),
)  # fmt: skip
