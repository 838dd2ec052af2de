"""Write the Word samples of corpora/interview_formats (run: python make_docx.py).

Word files cannot be written by hand, so their text lives here and the .docx files are
generated from it. Each reproduces the paragraph layout of one tool's export:

- otter/coworking_otter.docx: Otter.ai — a paragraph "Name  0:02" (name in bold) above each
  paragraph of speech;
- teams/bankapp_teams.docx: Microsoft Teams — a title, date and duration, then one paragraph
  per turn: "Name   0:03", a line break, the speech;
- teams/mealkit_teams_legacy.docx: older Teams — cues "0:0:0.0 --> 0:0:5.200", the speaker
  ("Surname, Given") and the speech, each in its own paragraph.

The interviews are invented.
"""

from __future__ import annotations

from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent

OTTER = [
    ("Maya Torres", "0:02", "Hello, hi! Sorry, I'm, I'm just getting my headphones in. Can you hear me?"),
    ("Ben Fischer", "0:07", "Yep, I can hear you. Hi Maya."),
    ("Maya Torres", "0:10", "Hi Ben. Thanks for doing this. Um, quick note, I'm recording so I can listen back later, is that okay?"),
    ("Ben Fischer", "0:16", "Yeah, of course."),
    ("Maya Torres", "0:19", "So you've been using the hot desks at the co-working space since, since the autumn, right? How did you find out about it?"),
    ("Ben Fischer", "0:26", "A friend of mine works there, on the, the second floor, and she brought me in on a guest pass. And I, uh, I liked the light, honestly. My flat is really dark."),
    ("Maya Torres", "0:41", "What's your usual routine when you come in?"),
    ("Ben Fischer", "0:45", "I try to get there before nine because after that the, the good desks by the window are gone. There's no booking for hot desks, it's just first come. So if I'm late I end up by the, the printer, which is loud."),
    ("Maya Torres", "1:04", "How often does that happen?"),
    ("Ben Fischer", "1:07", "Maybe once a week? Mondays are the worst. Everyone comes in on Mondays."),
    ("Maya Torres", "1:13", "And the app, do you use the app at all?"),
    ("Ben Fischer", "1:16", "Only to open the door, really. The, um, the door thing is great when it works. But twice it just didn't, and I was stood outside in the rain waiting for someone to let me in, and the front desk doesn't open until half eight."),
    ("Maya Torres", "1:35", "Oh no. Did you report it?"),
    ("Ben Fischer", "1:38", "I did through the app, there's a little feedback form. Never heard back. So, so I don't know if anyone reads those."),
    ("Maya Torres", "1:47", "That's really helpful to know. Anything else that would make it better for you?"),
    ("Ben Fischer", "1:52", "Being able to, to reserve a desk the night before. Even just for a couple of hours. I'd pay a bit extra for that, actually."),
    ("Maya Torres", "2:03", "Great. Well, that's all my questions. Thanks so much, Ben."),
    ("Ben Fischer", "2:06", "Cheers, see you."),
]

TEAMS = [
    ("Rosa Delgado", "0:03", "Morning! Can you hear me okay, Sam?"),
    ("Sam Whitfield", "0:06", "Morning. Yeah, yes, I can hear you."),
    ("Rosa Delgado", "0:09", "Lovely. So Teams is recording and transcribing this, it's just for us on the research side. That alright?"),
    ("Sam Whitfield", "0:15", "Yeah, no problem."),
    ("Rosa Delgado", "0:18", "So you run a small bakery and you use our business banking app for it. How long has that been?"),
    ("Sam Whitfield", "0:24", "About two years. We, um, we switched when we started taking card payments properly, because the old bank's app couldn't, couldn't show card takings next to the account."),
    ("Rosa Delgado", "0:38", "And what do you use the app for most?"),
    ("Sam Whitfield", "0:41", "Paying suppliers. The flour people, the, the dairy. Every Thursday. And checking the takings at the end of the day."),
    ("Rosa Delgado", "0:52", "How does paying suppliers go?"),
    ("Sam Whitfield", "0:55", "It's okay. The bit that drives me mad is the approvals. My business partner has to approve anything over a thousand, and the notification goes to her phone, but it doesn't say who it's for, just an amount. So she rings me every time going, what's this one."),
    ("Rosa Delgado", "1:16", "So it doesn't show the payee in the approval?"),
    ("Sam Whitfield", "1:19", "No, just the amount and a reference, and the reference is whatever the, the supplier puts on the invoice, which is usually a load of numbers."),
    ("Rosa Delgado", "1:30", "Okay. Anything else?"),
    ("Sam Whitfield", "1:32", "Um. The exports. My accountant wants a CSV every month and the, the export cuts off at three months, so at year end I'm doing it four times and stitching them together. Takes ages."),
    ("Rosa Delgado", "1:47", "That's really useful, thank you. I think that's all I had. Thanks for your time, Sam."),
    ("Sam Whitfield", "1:52", "No worries. Bye now."),
]

LEGACY = [
    ("0:0:0.0 --> 0:0:4.150", "Kowalski, Jan", "Hi Abena, hi, can you hear me? I think we're connected now."),
    ("0:0:4.150 --> 0:0:6.900", "Mensah, Abena", "Yes, I can hear you. Hello."),
    ("0:0:6.900 --> 0:0:13.400", "Kowalski, Jan", "Hello. Just so you're aware, this meeting is being recorded, it's just for our research notes. Is that okay with you?"),
    ("0:0:13.400 --> 0:0:15.100", "Mensah, Abena", "Yeah, that's fine."),
    ("0:0:15.100 --> 0:0:21.800", "Kowalski, Jan", "Great. So you signed up for the meal kit for your family in, I think, January? What made you try it?"),
    ("0:0:21.800 --> 0:0:30.250", "Mensah, Abena", "Um, so with three kids, the, the shopping was taking my whole Saturday. And a mum at school said the family box was actually enough food, not, not tiny portions."),
    ("0:0:30.250 --> 0:0:36.600", "Mensah, Abena", "So I thought, okay, let's try it for a month."),
    ("0:0:36.600 --> 0:0:40.100", "Kowalski, Jan", "And has it been enough food?"),
    ("0:0:40.100 --> 0:0:52.700", "Mensah, Abena", "Mostly, yes. Except the, the kids' recipes are quite, um, repetitive. It's pasta, pasta, tacos, pasta. My eldest has started calling it the pasta box."),
    ("0:0:52.700 --> 0:0:56.300", "Kowalski, Jan", "Ha. What would you like to see instead?"),
    ("0:0:56.300 --> 0:1:8.950", "Mensah, Abena", "More variety that's still, still quick. And a way to filter out things with nuts, because my youngest is allergic and I have to read every, every ingredient list myself."),
    ("0:1:8.950 --> 0:1:14.200", "Kowalski, Jan", "That's important. Has there been a problem with that?"),
    ("0:1:14.200 --> 0:1:25.600", "Mensah, Abena", "Once, yes. A sauce had a may-contain warning on the packet but not in the app. I caught it, luckily. But it made me a bit, a bit nervous about the whole thing."),
    ("0:1:25.600 --> 0:1:31.300", "Kowalski, Jan", "I'm sorry to hear that. Thank you for telling me. Is there anything else you'd want us to know?"),
    ("0:1:31.300 --> 0:1:36.800", "Mensah, Abena", "No, that's the main thing. The nut filter, please."),
    ("0:1:36.800 --> 0:1:40.500", "Kowalski, Jan", "Noted. Thank you so much, Abena. Have a good evening."),
    ("0:1:40.500 --> 0:1:42.100", "Mensah, Abena", "You too, bye."),
]


def write_otter(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Co-working hot desks – Ben")
    for name, ts, text in OTTER:
        header = document.add_paragraph()
        header.add_run(name).bold = True
        header.add_run(f"  {ts}")
        document.add_paragraph(text)
    document.add_paragraph("Transcribed by https://otter.ai")
    document.save(str(path))


def write_teams(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Bakery banking – customer interview")
    document.add_paragraph("12 March 2024, 09:30")
    document.add_paragraph("32m 5s")
    document.add_paragraph("Rosa Delgado started transcription")
    for name, ts, text in TEAMS:
        paragraph = document.add_paragraph(f"{name}   {ts}")
        paragraph.add_run().add_break()
        paragraph.add_run(text)
    document.add_paragraph("Rosa Delgado stopped transcription")
    document.save(str(path))


def write_teams_legacy(path: Path) -> None:
    document = docx.Document()
    for timing, name, text in LEGACY:
        document.add_paragraph(timing)
        document.add_paragraph(name)
        document.add_paragraph(text)
        document.add_paragraph("")
    document.save(str(path))


if __name__ == "__main__":
    write_otter(HERE / "otter" / "coworking_otter.docx")
    write_teams(HERE / "teams" / "bankapp_teams.docx")
    write_teams_legacy(HERE / "teams" / "mealkit_teams_legacy.docx")
