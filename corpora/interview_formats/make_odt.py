"""Write the OpenDocument sample of corpora/interview_formats (run: python make_odt.py).

thinkaloud/ticket_kiosk_usability.odt reproduces the layout of a moderated think-aloud usability
session typed up in LibreOffice Writer: the protocol's numbered task prompts ("1 Buy…",
"    1.a Was…"), the participant's speech as unlabelled indented paragraphs, the moderator's
rare interjections labelled "MODERATOR:", and observer notes in parentheses. The session is
invented.
"""

from __future__ import annotations

from pathlib import Path

from odf.opendocument import OpenDocumentText
from odf.text import P

HERE = Path(__file__).resolve().parent

SESSION = [
    "1 Buy a single ticket to the city centre using the kiosk screen.",
    "\tOkay so I'm looking at the start screen, um, there's a big button saying tickets, I'll press that.",
    "\tRight, it's asking me for a zone. I don't know which zone the centre is in, honestly.",
    "\tMODERATOR: Take your time, just say what you're thinking.",
    "\tI'd expect a map here or a list of stops. There's just zone one, two, three. I'm guessing one.",
    "    1.a Was it clear which ticket you needed?",
    "    \tNot really, no. The zones mean nothing to a visitor, I had to guess and I'm still not sure I got it right.",
    "    1.b What would have helped?",
    "    \tA search box where I type the stop name, like on the website. Or a map with the zones coloured in.",
    "\t(The participant taps the back button twice by mistake)",
    "2 Pay for the ticket with a contactless card.",
    "\tSo now it says tap your card. I'm tapping. Nothing's happening. Oh wait, there's a tiny light at the bottom, that's where the reader is.",
    "\tThe reader is way down by my knees, I only found it because the light was blinking.",
    "\tMODERATOR: Yes",
    "\tOkay, it went through. It printed a receipt and the ticket together which is a bit confusing, which one do I keep?",
    "    2.a How confident were you that the payment worked?",
    "    \tFairly confident once it beeped, but before the beep I nearly gave up and went to the counter.",
    "3 Find out when the next train to the airport leaves.",
    "\tI'd look for a timetable button. There's journey planner, I'll try that.",
    "\tIt wants a destination, I'll type airport. The keyboard is alphabetical, not like a phone, so it's slow to type.",
    "\tOkay, next train in eleven minutes from platform four. That's actually nice and clear.",
    "    3.a Anything you would change on this screen?",
    "    \tThe keyboard, definitely. And the platform number could be bigger, I had to lean in to read it.",
    "4 Please rate how easy the whole task was and explain why.",
    "\tI'd say three out of five. The planner was good, the zones and the card reader were the hard parts.",
    "\tMODERATOR: Thanks, that's the end of the tasks.",
]


def write(path: Path) -> Path:
    document = OpenDocumentText()
    for line in SESSION:
        document.text.addElement(P(text=line))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(write(HERE / "thinkaloud" / "ticket_kiosk_usability.odt"))
