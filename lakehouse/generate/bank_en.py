"""English-medium courses: questions, reference points and romanised Hinglish answers.

Each question lists its reference answer as separate points; a generated answer keeps more of them
the better the student, which is what makes grade and answer quality move together.
"""

from __future__ import annotations

from typing import Final

from lakehouse.generate.courses import Course, Question

NETWORKS: Final = Course(
    course_id="CN301",
    title="Computer Networks",
    language="en",
    questions=(
        Question(
            "A1", "Q1", 10,
            "State at least four differences between the UDP and TCP headers.",
            {
                "en": (
                    "The UDP header is 8 bytes while the TCP header is 20 to 60 bytes long.",
                    "The UDP header has a fixed length and the TCP header has a variable length.",
                    "TCP has sequence and acknowledgement numbers, UDP has none.",
                    "TCP carries flags, an advertised window and an urgent pointer.",
                    "In UDP the source port is optional, in TCP it is required.",
                ),
                "hi-Latn": (
                    "UDP ka header sirf 8 bytes ka hota hai, TCP ka 20 se 60 bytes.",
                    "UDP header fixed length hai jabki TCP ka variable length hai.",
                    "TCP mein sequence number aur acknowledgement number hote hain, UDP mein nahi.",
                    "TCP mein flags, window size aur urgent pointer bhi hote hain.",
                ),
            },
        ),
        Question(
            "A1", "Q2", 5,
            "Why does TCP use a three-way handshake to open a connection?",
            {
                "en": (
                    "Both sides must agree on initial sequence numbers before sending data.",
                    "The client sends SYN, the server answers SYN-ACK and the client sends ACK.",
                    "It prevents old duplicate connection requests from opening a connection.",
                ),
                "hi-Latn": (
                    "Dono side ko initial sequence number pe agree karna padta hai.",
                    "Client SYN bhejta hai, server SYN-ACK deta hai, phir client ACK bhejta hai.",
                    "Isse purane duplicate requests se galat connection nahi banta.",
                ),
            },
        ),
        Question(
            "A2", "Q1", 20,
            "Explain how CSMA/CD handles collisions on a shared Ethernet segment.",
            {
                "en": (
                    "A station listens to the medium and only transmits when it is idle.",
                    "While sending it keeps listening to detect a collision.",
                    "On a collision it stops and sends a jam signal so all stations notice.",
                    "It then waits a random time chosen by binary exponential backoff.",
                    "After 16 failed attempts the frame is dropped.",
                ),
            },
        ),
        Question(
            "A2", "Q2", 1,
            "What is the purpose of the subnet mask 255.255.255.0?",
            {
                "en": (
                    "It marks the first 24 bits of the address as the network part.",
                    "The last 8 bits identify the host, giving 254 usable addresses.",
                ),
            },
        ),
    ),
)  # fmt: skip

PHYSICS: Final = Course(
    course_id="PH102",
    title="Engineering Physics",
    language="en",
    questions=(
        Question(
            "A1", "Q1", 10,
            "State Newton's three laws of motion with one example each.",
            {
                "en": (
                    "A body stays at rest or in uniform motion unless a net force acts on it.",
                    "For example a book on a table stays there until someone pushes it.",
                    "The net force equals mass times acceleration, F = ma.",
                    "Pushing an empty trolley accelerates it more than a full one.",
                    "Every action has an equal and opposite reaction.",
                    "A rocket moves up because exhaust gases are pushed down.",
                ),
                "hi-Latn": (
                    "Koi body rest ya uniform motion mein rehti hai jab tak net force na lage.",
                    "Net force mass into acceleration ke barabar hota hai, F = ma.",
                    "Har action ka equal aur opposite reaction hota hai.",
                    "Jaise rocket upar jata hai kyunki gas neeche push hoti hai.",
                ),
            },
        ),
        Question(
            "A1", "Q2", 5,
            "A stone is dropped from rest. What is its speed after 2 seconds? Take g = 9.8 m/s^2.",
            {
                "en": (
                    "The stone starts from rest, so u = 0.",
                    "Using v = u + g t we get v = 0 + 9.8 x 2.",
                    "So the speed is 19.6 m/s downwards.",
                ),
                "hi-Latn": (
                    "Stone rest se start hota hai to u = 0.",
                    "v = u + gt lagane se v = 9.8 x 2 aata hai.",
                    "Isliye speed 19.6 m/s hai.",
                ),
            },
        ),
        Question(
            "A2", "Q1", 20,
            "Explain the photoelectric effect and why it supports the particle nature of light.",
            {
                "en": (
                    "Light falling on a metal surface can eject electrons from it.",
                    "Electrons are emitted only above a threshold frequency, whatever the intensity.",
                    "The kinetic energy of the electrons grows with frequency, not intensity.",
                    "Einstein explained it with photons of energy E = h f.",
                    "One photon gives its whole energy to one electron, minus the work function.",
                ),
            },
        ),
        Question(
            "A2", "Q2", 100,
            "Describe total internal reflection and one application of it.",
            {
                "en": (
                    "Light must travel from a denser medium to a rarer medium.",
                    "The angle of incidence must be greater than the critical angle.",
                    "Then all of the light is reflected back into the denser medium.",
                    "Optical fibres use it to carry light over long distances with little loss.",
                ),
            },
        ),
    ),
)  # fmt: skip

HISTORY: Final = Course(
    course_id="HS110",
    title="Modern Indian History",
    language="en",
    questions=(
        Question(
            "A1", "Q1", 20,
            "What were the main causes of the revolt of 1857?",
            {
                "en": (
                    "The annexation of states under the doctrine of lapse angered Indian rulers.",
                    "Sepoys resented low pay and being sent overseas.",
                    "The greased cartridges of the Enfield rifle offended Hindu and Muslim soldiers.",
                    "Heavy land revenue ruined many peasants and zamindars.",
                    "Social reforms were seen as interference with religion.",
                ),
                "hi-Latn": (
                    "Doctrine of lapse se kai riyasatein company ne le li thi.",
                    "Sepoys ki salary kam thi aur unhe overseas bheja jata tha.",
                    "Enfield rifle ke greased cartridges se soldiers naraz the.",
                    "Zyada land revenue se kisan pareshan the.",
                ),
            },
        ),
        Question(
            "A1", "Q2", 10,
            "Why was the Salt March of 1930 important?",
            {
                "en": (
                    "Gandhi walked from Sabarmati to Dandi to break the salt law.",
                    "Salt was used by everyone, so the tax united people across classes.",
                    "It started the civil disobedience movement across the country.",
                    "It drew world attention to the demand for independence.",
                ),
                "hi-Latn": (
                    "Gandhi ji Sabarmati se Dandi tak paidal gaye salt law todne ke liye.",
                    "Namak sab use karte the isliye sab log jud gaye.",
                    "Isse civil disobedience movement shuru hua.",
                ),
            },
        ),
        Question(
            "A2", "Q1", 5,
            "Name two features of the Government of India Act 1935.",
            {
                "en": (
                    "It gave provincial autonomy and ended dyarchy in the provinces.",
                    "It proposed an all-India federation of provinces and princely states.",
                    "It set up a Federal Court.",
                ),
            },
        ),
    ),
)  # fmt: skip

ENGLISH_COURSES: Final = (NETWORKS, PHYSICS, HISTORY)
