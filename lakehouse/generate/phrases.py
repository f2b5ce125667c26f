"""Small phrase banks per answer language: openers, off-topic fillers, junk, grader feedback.

Answer languages are ISO 639-1 codes, plus `hi-Latn` for romanised Hindi (Hinglish).
"""

from __future__ import annotations

from typing import Final

ANSWER_LANGUAGES: Final = ("en", "hi-Latn", "hi", "kn", "ta")

OPENERS: Final[dict[str, tuple[str, ...]]] = {
    "en": ("Answer:", "Ans.", "In my view,", "As taught in class,", "The answer is as follows."),
    "hi-Latn": ("Ans:", "Mere hisaab se,", "Answer ye hai:"),
    "hi": ("उत्तर:", "मेरे अनुसार,", "इसका उत्तर इस प्रकार है।"),
    "kn": ("ಉತ್ತರ:", "ನನ್ನ ಪ್ರಕಾರ,"),
    "ta": ("விடை:", "என் கருத்துப்படி,"),
}

FILLERS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "I am not fully sure about this part.",
        "This topic was covered in the last week of class.",
        "I did not have time to finish this answer.",
        "It is a very important topic for the exam.",
        "There are many reasons for this and all are important.",
        "Our hostel had no electricity so I studied from my friend's notes.",
    ),
    "hi-Latn": (
        "Mujhe ye part pakka nahi pata.",
        "Ye exam ke liye bahut important hai.",
        "Time kam tha isliye short likha hai.",
        "Sir ne class mein ye padhaya tha.",
    ),
    "hi": (
        "मुझे यह ठीक से याद नहीं है।",
        "यह परीक्षा के लिए बहुत महत्वपूर्ण है।",
        "समय कम था इसलिए छोटा उत्तर लिखा।",
        "इसके कई कारण हैं और सभी ज़रूरी हैं।",
    ),
    "kn": (
        "ನನಗೆ ಇದು ಸರಿಯಾಗಿ ನೆನಪಿಲ್ಲ.",
        "ಇದು ಪರೀಕ್ಷೆಗೆ ಬಹಳ ಮುಖ್ಯವಾಗಿದೆ.",
        "ಸಮಯ ಕಡಿಮೆ ಇದ್ದುದರಿಂದ ಚಿಕ್ಕ ಉತ್ತರ ಬರೆದಿದ್ದೇನೆ.",
    ),
    "ta": (
        "எனக்கு இது சரியாக நினைவில்லை.",
        "இது தேர்வுக்கு மிகவும் முக்கியமானது.",
        "நேரம் குறைவாக இருந்ததால் சுருக்கமாக எழுதினேன்.",
    ),
}

KEYBOARD_MASH: Final = (
    "asdfghjkl",
    "qwertyuiop asdf",
    "jjjjjjjjjjjjjj kkkkkk",
    "sdfsdf sdfsdf sdf",
    "zxcvbnm,./",
    "hjkl hjkl hjkl;;;",
    "aaaaaaaaaaaaaaaaaaaaaa",
)
REPEATED_LINES: Final = (
    "I don't know",
    "please give marks sir",
    "मुझे नहीं पता",
    "TCP TCP TCP",
    "answer answer answer",
    "ಗೊತ್ತಿಲ್ಲ",
)
SHORT_ANSWERS: Final = ("idk", "ok", "?", "yes", "no idea", "पता नहीं", "-", "NA", "19.6", "TCP")

FEEDBACK: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    # (poor, partial, good) bands of grade / max_grade
    "en": (
        (
            "The answer does not address the question.",
            "Most key points are missing; please revise the chapter.",
            "Irrelevant content. See the reference answer.",
            "Too short to award marks.",
        ),
        (
            "Partially correct: some key points are missing.",
            "Good start, but the explanation is incomplete.",
            "You mention the main idea but give no example.",
            "Correct in parts; be more precise with the terms.",
        ),
        (
            "Excellent, all key points covered.",
            "Well explained and complete.",
            "Very good answer with a clear example.",
            "Correct and well structured.",
        ),
    ),
    "hi": (
        ("उत्तर प्रश्न से संबंधित नहीं है।", "मुख्य बिंदु छूट गए हैं, पाठ दोबारा पढ़ें।"),
        ("आंशिक रूप से सही, कुछ बिंदु छूट गए।", "अच्छी शुरुआत, पर उत्तर अधूरा है।"),
        ("बहुत अच्छा उत्तर, सभी बिंदु शामिल हैं।", "सही और स्पष्ट उत्तर।"),
    ),
}
"""Graders write in English, except for the Hindi course; `FEEDBACK_LANGUAGE` maps course language."""

FEEDBACK_LANGUAGE: Final[dict[str, str]] = {"en": "en", "hi": "hi", "kn": "en", "ta": "en"}
