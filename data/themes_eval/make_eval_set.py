"""Build the labelled theme-evaluation set `queries.csv` from hand-written fragments.

Every phrasing below was written for voc_synth (nothing is copied from a public dataset). Each
intent has a dozen or more differently worded core requests with slots ({item}, {days}, ...);
a query is one core phrasing with its slots filled, optionally wrapped in a greeting and a
closing remark that carry no intent (as real tickets do). Intents include deliberately confusable
neighbours (late delivery vs tracking not updated, damaged vs wrong vs missing item, refund
request vs refund not received, card declined vs charged twice, praise vs complaints about the
same subject) so the set is not trivially separable.

Run `python data/themes_eval/make_eval_set.py` to regenerate (deterministic).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20240611
PER_INTENT = 50

ITEMS = [
    "jacket", "blender", "running shoes", "phone case", "sofa cushions", "headphones", "kettle",
    "winter coat", "desk lamp", "yoga mat", "coffee machine", "backpack", "jeans", "vacuum cleaner",
    "bed sheets", "smartwatch", "toaster", "dress", "garden chair", "water bottle",
]
DAYS = ["3 days", "four days", "a week", "over a week", "two weeks", "10 days", "5 working days",
        "nearly a month", "since Monday", "since last Friday"]
ORDERS = ["#48213", "#10977", "#55302", "#73119", "#20486", "#91544", "#36620", "#84071"]
AMOUNTS = ["£24.99", "$59", "€35", "£120", "$14.50", "£8.99", "$210", "€79.90"]
CARRIERS = ["the courier", "DPD", "the delivery driver", "Royal Mail", "UPS", "the carrier"]

OPENERS = [
    "", "", "", "", "", "Hi,", "Hello,", "Hi there,", "Good morning,", "Hey,", "Hi team,",
    "Quick question:", "Hello support,", "Dear customer service,", "Evening,",
]
CLOSERS = [
    "", "", "", "", "", "Thanks.", "Thanks in advance!", "Please help.", "Cheers",
    "Can someone get back to me?", "Many thanks", "Appreciate it.", "Let me know asap.",
    "Thank you!", "Order {order}.", "My order number is {order}.",
]
REVIEW_OPENERS = ["", "", "", "", "Honestly,", "Overall,", "To be fair,", "I have to say",
                  "Update:", "Second order here and"]
REVIEW_CLOSERS = ["", "", "", "", "Would recommend.", "Not impressed.", "Five stars.",
                  "One star.", "Will see next time.", "Just my two cents."]

# intent -> (kind, phrasings)
INTENTS: dict[str, tuple[str, list[str]]] = {
    "order_late": ("support", [
        "my order still hasn't arrived and it's been {days}",
        "where is my parcel? it was supposed to come {days} ago",
        "the delivery date has passed and I still don't have my {item}",
        "my {item} was due yesterday but nothing has turned up",
        "when will my order actually be delivered",
        "it's been {days} and my package is nowhere to be seen",
        "still waiting on my delivery, ordered {days} ago",
        "your site said next day delivery but I've waited {days}",
        "my order is late, can you tell me when it will arrive",
        "the {item} I bought has not been delivered yet",
        "is my order ever going to show up? placed it {days} ago",
        "expected my parcel by the weekend and it never came",
        "why is my delivery taking so long",
        "order {order} is overdue, any idea when I'll get it",
        "I need the {item} for a trip and it's still not here after {days}",
    ]),
    "tracking_stuck": ("support", [
        "the tracking page hasn't updated in {days}",
        "tracking still says label created but nothing else",
        "my tracking number doesn't work on the {carrier} website",
        "tracking shows the same status '{status}' for {days}",
        "the tracking link you emailed gives an error",
        "tracking says delivered but there's no parcel at my door",
        "why is there no tracking information for order {order}",
        "the tracking is stuck at the depot",
        "can you send me a working tracking number",
        "tracking hasn't moved since it left the warehouse",
        "the status on tracking is frozen, is my package lost",
        "no movement on the tracking for my {item}",
        "tracking history shows nothing after 'dispatched'",
        "the {carrier} tracking says unknown parcel",
    ]),
    "cancel_order": ("support", [
        "I want to cancel my order",
        "please cancel order {order}, I ordered by mistake",
        "how do I cancel an order I placed {days} ago",
        "can I still cancel if it hasn't shipped",
        "I changed my mind about the {item}, please cancel it",
        "there's no cancel button in my account",
        "cancel my purchase please, found it cheaper elsewhere",
        "I accidentally ordered two {item}s, cancel one of them",
        "is it too late to cancel my order",
        "I need to cancel before it ships",
        "please stop my order from being sent",
        "how can I cancel part of my order",
        "I tried to cancel online but it wouldn't let me",
    ]),
    "change_address": ("support", [
        "I need to change the delivery address on my order",
        "I moved house, can you update the shipping address for order {order}",
        "wrong address entered at checkout, can it be fixed",
        "can my parcel be sent to my work address instead",
        "I put the old postcode on my order",
        "how do I change where my package is delivered",
        "please redirect my delivery to a different address",
        "I typed my flat number wrong on the address",
        "can I update the address after the order is placed",
        "my {item} is going to my old address, please change it",
        "need to swap the delivery address to my parents' house",
        "the address on my order is missing the street name",
    ]),
    "return_item": ("support", [
        "how do I return an item",
        "I want to send back the {item}, what's the process",
        "can I get a returns label for my {item}",
        "what is your return policy",
        "the {item} doesn't fit, how can I return it",
        "how many days do I have to return something",
        "do I have to pay for return postage",
        "where do I drop off a return",
        "I'd like to return my order, it's not what I expected",
        "can I return a sale item",
        "how do I start a return online",
        "can I return the {item} to a store instead of posting it",
        "I lost the returns slip, how do I send this back",
        "is it possible to exchange the {item} for a different size",
    ]),
    "refund_not_received": ("support", [
        "I returned my {item} {days} ago and still no refund",
        "where is my refund",
        "you received my return but haven't refunded me",
        "my refund of {amount} hasn't shown up in my account",
        "how long does a refund take to arrive",
        "the refund was approved but the money isn't back",
        "still waiting for my money back after returning the order",
        "I was promised a refund {days} ago",
        "refund status says processed but my bank shows nothing",
        "when will I get my {amount} back",
        "my return was delivered to you but no refund yet",
        "I've been waiting {days} for a refund on order {order}",
        "you only refunded part of what I paid",
    ]),
    "damaged_item": ("support", [
        "my {item} arrived broken",
        "the {item} came damaged, the box was crushed",
        "the item was cracked when I opened it",
        "received the {item} with a big scratch on it",
        "the {item} arrived smashed",
        "my parcel was damaged in transit and the {item} is dented",
        "the {item} is torn, it came like that",
        "the glass was shattered when it was delivered",
        "what do I do if my order arrives damaged",
        "the {item} has a hole in it straight out of the packaging",
        "the {item} doesn't work, looks like it was dropped in delivery",
        "it came broken, I want a replacement",
    ]),
    "wrong_item": ("support", [
        "I received the wrong item",
        "you sent me a {item2} instead of the {item}",
        "this isn't what I ordered",
        "got the wrong size, ordered medium and got extra large",
        "the colour is wrong, I ordered black and got pink",
        "the parcel had someone else's order in it",
        "the {item} you sent is a different model to the one I bought",
        "wrong product delivered, please send the right one",
        "I ordered a {item} but a {item2} turned up",
        "the label says my name but the contents are wrong",
        "you sent me the wrong colour {item}",
        "the item in the box doesn't match my order confirmation",
    ]),
    "missing_item": ("support", [
        "one item is missing from my order",
        "my parcel arrived but the {item} wasn't in it",
        "I only received part of my order",
        "the box was empty apart from the packing slip",
        "I ordered three things and only got two",
        "the {item} is listed on the receipt but wasn't in the package",
        "half of my order is missing",
        "the delivery was missing the charger",
        "the set was incomplete, one piece is not there",
        "my order came without the {item}",
        "is the rest of my order coming separately? the {item} is missing",
        "the package was short one item",
    ]),
    "payment_declined": ("support", [
        "my card keeps getting declined at checkout",
        "payment failed but my card works everywhere else",
        "why won't my payment go through",
        "checkout says transaction declined",
        "I can't pay with PayPal, it just errors",
        "my card was rejected when I tried to buy the {item}",
        "payment error every time I try to place the order",
        "the site won't accept my debit card",
        "Apple Pay fails at the last step",
        "it says payment could not be authorised",
        "tried three different cards and all were declined",
        "why does my payment keep failing",
    ]),
    "charged_twice": ("support", [
        "I've been charged twice for the same order",
        "there are two payments of {amount} on my statement",
        "you took the money twice",
        "double charge on my card for order {order}",
        "I was billed twice for one {item}",
        "my bank shows a duplicate transaction from you",
        "charged again even though the first payment went through",
        "why did I pay {amount} two times",
        "the order failed but I was still charged, then charged again when I retried",
        "I see two identical charges, please refund one",
        "payment taken twice, I only placed one order",
        "there's an extra charge of {amount} I don't recognise",
    ]),
    "discount_code": ("support", [
        "my discount code isn't working",
        "the promo code says invalid",
        "I forgot to apply my voucher at checkout",
        "the 20% off code won't apply to my basket",
        "coupon code rejected even though it hasn't expired",
        "where do I enter a discount code",
        "the welcome discount didn't get taken off",
        "your email promised 15% off but the code doesn't work",
        "can you apply the sale discount to my order retroactively",
        "student discount not applying",
        "the voucher code says it's not valid for these items",
        "my birthday code expired before I could use it",
    ]),
    "login_problem": ("support", [
        "I can't log in to my account",
        "the password reset email never arrives",
        "I forgot my password",
        "it says my password is wrong but I know it's right",
        "my account is locked after too many attempts",
        "the reset link says it has expired",
        "I can't sign in on the app",
        "login keeps looping back to the sign in page",
        "two factor code isn't being sent to my phone",
        "how do I reset my password",
        "it says no account exists with my email but I've ordered before",
        "I'm locked out of my account",
    ]),
    "delete_account": ("support", [
        "please delete my account",
        "how do I close my account",
        "I want all my personal data removed",
        "remove my account and stop storing my details",
        "I'd like to permanently delete my profile",
        "can you erase my data under GDPR",
        "how do I deactivate my account",
        "I no longer want an account with you, close it",
        "please remove my card details and delete the account",
        "delete everything you hold about me",
        "there's no option to delete my account in settings",
    ]),
    "update_details": ("support", [
        "how do I change the email on my account",
        "I need to update my phone number",
        "can I change my name on my profile",
        "I got married and need to change my surname",
        "how do I update my saved card",
        "my email address has changed, please update it",
        "I want to change the default address in my account",
        "where do I edit my account details",
        "can't update my phone number in the app",
        "please change the email linked to my account",
        "how do I remove an old saved address",
    ]),
    "loyalty_points": ("support", [
        "my loyalty points are missing",
        "I didn't get points for my last purchase",
        "how do I use my reward points",
        "my points balance went to zero",
        "the points from order {order} were never added",
        "when do loyalty points expire",
        "how many points do I have",
        "I was promised double points but only got single",
        "can I redeem points on sale items",
        "my rewards voucher never arrived",
        "points not credited after {days}",
        "how does the loyalty scheme work",
    ]),
    "gift_card": ("support", [
        "how do I check my gift card balance",
        "my gift card isn't being accepted",
        "can I use a gift card online",
        "the gift card code says invalid",
        "I lost my gift card, can it be replaced",
        "can I use two gift cards on one order",
        "my e-gift card never arrived by email",
        "the gift card has {amount} left but won't apply",
        "does a gift card expire",
        "can I buy a gift card for someone else",
        "how do I redeem a gift voucher at checkout",
    ]),
    "back_in_stock": ("support", [
        "when will the {item} be back in stock",
        "the {item} is sold out, will you restock it",
        "can you notify me when the {item} is available again",
        "is the {item} coming back in my size",
        "the item I want says out of stock",
        "will you be getting more of the {item}",
        "do you know when the next delivery of {item}s is",
        "the back in stock alert never emailed me",
        "everything in my size is out of stock",
        "is this {item} discontinued or just out of stock",
        "can I pre-order the {item} while it's out of stock",
    ]),
    "sizing_advice": ("support", [
        "what size should I get in the {item}",
        "does the {item} run small or large",
        "I'm usually a medium, which size do you recommend",
        "where is the size guide",
        "are your sizes UK or EU",
        "what are the measurements of the large",
        "is the {item} true to size",
        "I'm between sizes, should I size up",
        "how long is the {item} in size 12",
        "your size chart doesn't match the fit",
        "what's the difference between regular and slim fit",
    ]),
    "warranty_repair": ("support", [
        "my {item} stopped working after {days}",
        "is the {item} still under warranty",
        "how do I make a warranty claim",
        "the {item} broke after two months of normal use",
        "can you repair my {item}",
        "the {item} won't turn on anymore",
        "what does the guarantee cover",
        "the zip on my {item} broke after a few weeks",
        "the battery in my {item} no longer holds a charge",
        "I need a replacement part for my {item}",
        "it worked fine at first but now it's faulty",
        "who do I contact about a faulty {item}",
    ]),
    "delivery_options": ("support", [
        "how much is delivery",
        "do you offer next day delivery",
        "is there free shipping over a certain amount",
        "do you deliver to Ireland",
        "can I choose a delivery time slot",
        "do you ship internationally",
        "how much is express shipping",
        "can I collect my order from a store",
        "do you deliver on Saturdays",
        "what delivery options are there for large items",
        "can I pick up from a parcel locker",
        "how long does standard delivery take",
    ]),
    "unsubscribe_emails": ("support", [
        "please stop sending me marketing emails",
        "how do I unsubscribe from your newsletter",
        "I keep getting texts from you, make it stop",
        "I unsubscribed but still get emails",
        "take me off your mailing list",
        "I get five promotional emails a day",
        "how do I turn off push notifications",
        "stop the spam please",
        "I never signed up for your newsletter",
        "the unsubscribe link doesn't work",
        "opt me out of all marketing",
    ]),
    "invoice_request": ("support", [
        "can I get a VAT invoice for my order",
        "I need a receipt for my purchase",
        "where do I download my invoice",
        "please send an invoice with my company name",
        "the invoice has the wrong billing address",
        "I need a copy of my receipt for an expenses claim",
        "can you email me the invoice for order {order}",
        "my receipt doesn't show the VAT",
        "I need an itemised invoice",
        "how do I get a proof of purchase",
        "can the invoice be made out to my business",
    ]),
    "price_drop": ("support", [
        "the {item} I bought is now cheaper, can I get the difference",
        "do you price match",
        "the price dropped a day after I ordered",
        "can you refund the difference now that it's on sale",
        "another shop sells the {item} for less, will you match it",
        "I paid {amount} and now it's half price",
        "it went on sale right after I bought it",
        "do you have a price protection policy",
        "can I get the sale price on my order from {days} ago",
        "the {item} is {amount} cheaper on your own website today",
        "will you honour the lower price",
    ]),
    "praise_delivery": ("feedback", [
        "delivery was super quick, arrived the next morning",
        "ordered the {item} on Monday and it came on Tuesday, brilliant",
        "so impressed with how fast my parcel came",
        "the courier was friendly and on time",
        "arrived earlier than expected, great service",
        "fast shipping and the tracking updates were spot on",
        "got my order in two days, very happy",
        "the delivery slot was exactly as promised",
        "speedy delivery, will order again",
        "lightning fast dispatch",
        "the driver even called ahead, excellent delivery",
        "quick and easy delivery, no complaints",
    ]),
    "app_crash": ("feedback", [
        "the app keeps crashing when I open my basket",
        "your app freezes every time I try to check out",
        "the app closes itself on my phone",
        "since the last update the app won't load",
        "the app is so buggy I gave up and used the website",
        "app crashes whenever I search for anything",
        "the android app shows a blank white screen",
        "the app logs me out constantly",
        "the app is really slow and laggy",
        "images don't load in the app",
        "the iphone app crashed three times during payment",
        "the app is unusable after the redesign",
    ]),
    "customer_service_wait": ("feedback", [
        "I waited over an hour on the phone to speak to someone",
        "customer service never replied to my emails",
        "the live chat agent was rude and unhelpful",
        "it took {days} to get a response from support",
        "nobody answers the phone",
        "I've been passed between three different agents",
        "the chatbot is useless and I can't reach a human",
        "support closed my ticket without solving anything",
        "customer service was dismissive",
        "the staff on the helpline didn't listen",
        "I had to explain my problem four times",
        "your support team keeps sending copy paste answers",
    ]),
    "quality_praise": ("feedback", [
        "the {item} is beautifully made",
        "great quality for the price",
        "really sturdy, feels like it will last for years",
        "the material is soft and feels premium",
        "the {item} looks even better than in the photos",
        "excellent build quality",
        "I've washed it loads and it still looks new",
        "lovely {item}, well made and comfortable",
        "the stitching is really neat",
        "solid and well designed, love it",
        "so much better quality than I expected",
        "the {item} is perfect, exactly as described",
    ]),
    "packaging": ("feedback", [
        "way too much plastic packaging",
        "a tiny item came in a huge box",
        "the packaging was excessive and wasteful",
        "please use less plastic in your parcels",
        "loved the recyclable packaging",
        "the box was three times bigger than needed",
        "so much bubble wrap for one {item}",
        "the packaging isn't recyclable",
        "each piece was wrapped separately in plastic",
        "nice that the packaging was all cardboard",
        "the parcel was full of polystyrene",
    ]),
    "checkout_usability": ("feedback", [
        "the checkout is confusing",
        "I couldn't find where to enter my address at checkout",
        "too many steps to place an order",
        "the website forces you to create an account to buy",
        "the basket kept emptying itself",
        "it's hard to find the delivery options before paying",
        "the checkout page kept refreshing and losing my details",
        "the search on your website never finds what I want",
        "the website is hard to navigate",
        "the filters on the site don't work",
        "I wish checkout remembered my details",
        "the buy button is hidden below the fold",
    ]),
}

STATUSES = ["in transit", "out for delivery", "awaiting collection", "processing at hub"]


def _fill(template: str, rng: random.Random) -> str:
    item = rng.choice(ITEMS)
    item2 = rng.choice([i for i in ITEMS if i != item])
    return template.format(
        item=item, item2=item2, days=rng.choice(DAYS), order=rng.choice(ORDERS),
        amount=rng.choice(AMOUNTS), carrier=rng.choice(CARRIERS), status=rng.choice(STATUSES),
    )


def _wrap(core: str, kind: str, rng: random.Random) -> str:
    openers, closers = (OPENERS, CLOSERS) if kind == "support" else (REVIEW_OPENERS, REVIEW_CLOSERS)
    opener, closer = rng.choice(openers), _fill(rng.choice(closers), rng)
    core = core[0].upper() + core[1:] if not opener or opener.endswith((":", ".")) else core
    end = "" if core.endswith(("?", ".", "!")) else rng.choice(["", ".", ".", "?" if kind == "support" else "!"])
    parts = [p for p in (opener, core + end, closer) if p]
    text = " ".join(parts)
    if rng.random() < 0.15:
        text = text.lower()
    return text


def build(per_intent: int = PER_INTENT, seed: int = SEED) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for intent, (kind, phrasings) in INTENTS.items():
        seen: set[str] = set()
        attempts = 0
        while len(seen) < per_intent and attempts < per_intent * 50:
            attempts += 1
            text = _wrap(_fill(rng.choice(phrasings), rng), kind, rng)
            if text in seen:
                continue
            seen.add(text)
            rows.append({"text": text, "intent": intent, "kind": kind,
                         "source_type": "ticket" if kind == "support" else "review"})
    rng.shuffle(rows)
    for i, row in enumerate(rows):
        row["query_id"] = f"q{i:05d}"
    return rows


def main() -> None:
    out = Path(__file__).with_name("queries.csv")
    rows = build()
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["query_id", "text", "intent", "kind", "source_type"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} queries, {len(INTENTS)} intents -> {out}")


if __name__ == "__main__":
    main()
