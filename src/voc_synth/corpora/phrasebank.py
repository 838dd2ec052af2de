"""Hand-written phrase banks for the sample corpora (the Larkfield Home demo shop and the synthetic
benchmark corpus).

Every sentence here was written for this project; none is taken from a public data set or web page.

Each planted theme owns a few sentence *families* (what happened, how it felt, what the customer
wants...). A record is built by drawing one variant from one to three different families, so the
words of a theme recur often enough for a topic model to recover it, while no two records read as
filled-in copies of one template. Slots in braces (``{order}``, ``{courier}``, ``{product}``, ...)
are filled by the generators; `fill` is the one place that does it.

Pure data plus two small helpers; only `random.Random` instances passed in by the caller are used,
never the global random state, so both generators stay deterministic.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace

__all__ = [
    "STAGES",
    "Theme",
    "THEMES",
    "THEMES_BY_ID",
    "COURIERS",
    "PRODUCTS",
    "PROMO_CODES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "AGENT_NAMES",
    "GREETINGS",
    "SIGNOFFS",
    "CONTEXT_SENTENCES",
    "CONTEXT_TEMPLATES",
    "OCCASIONS",
    "WHENS",
    "DEVICES",
    "OPENERS",
    "TAILS",
    "PRODUCT_TAILS",
    "SYNONYMS",
    "THANKS_ONLY",
    "STAGE_QUESTIONS",
    "PROBES",
    "BACKCHANNELS",
    "ANSWER_OPENERS",
    "SPOKEN",
    "ANSWER_CLOSERS",
    "FALSE_STARTS",
    "SARCASTIC",
    "POLITE_COMPLAINTS",
    "default_slots",
    "fill",
    "theme_sentences",
    "stylise",
    "vary",
    "context_sentence",
]

#: Stage ids of the built-in ``ecommerce`` framework, in journey order.
STAGES: tuple[str, ...] = (
    "discovery",
    "browsing",
    "checkout",
    "delivery",
    "use_support",
    "returns",
    "loyalty",
)


@dataclass(frozen=True)
class Theme:
    """One planted theme: its identity, journey stage, expected sentiment and its words."""

    id: str
    name: str
    stage: str
    expected_sentiment: str  # negative | positive | mixed | neutral
    families: dict[str, tuple[str, ...]]
    #: Interview-style first-person narrative fragments (past tense, conversational).
    interview: tuple[str, ...] = ()
    #: Helpdesk subject lines (only themes that show up in tickets need them).
    subjects: tuple[str, ...] = ()
    #: Short review titles.
    titles: tuple[str, ...] = ()
    #: Tags a helpdesk agent might put on such a ticket.
    tags: tuple[str, ...] = ()
    #: Rating bias: "low" for complaints, "high" for praise, "mid" for mixed.
    polarity: str = field(default="low")
    #: Spoken follow-up lines for interviews (how it felt, what came of it); filled in from SPOKEN.
    spoken: tuple[str, ...] = ()

    def variants(self) -> list[str]:
        """Every distinct written phrasing of this theme (all families plus interview lines)."""
        out: list[str] = []
        for family in self.families.values():
            out.extend(family)
        out.extend(self.interview)
        out.extend(self.spoken)
        return out


# ---------------------------------------------------------------------------------------------
# The store's world
# ---------------------------------------------------------------------------------------------

COURIERS: tuple[str, ...] = ("SwiftDrop", "ParcelNorth", "Kestrel Courier", "SwiftDrop", "ParcelNorth")

#: (display name used in review listings, short noun a customer would say)
PRODUCTS: tuple[tuple[str, str], ...] = (
    ("Harlow Cast Iron Casserole 24cm", "casserole dish"),
    ("Harlow Cast Iron Skillet 26cm", "skillet"),
    ("Ember Non-Stick Frying Pan Set", "frying pan"),
    ("Ember Stainless Saucepan Trio", "saucepan set"),
    ("Brisk 1.7L Glass Kettle", "kettle"),
    ("Brisk 2-Slice Toaster", "toaster"),
    ("Whirl Compact Blender", "blender"),
    ("Hearth Stoneware Dinner Set (12 piece)", "dinner set"),
    ("Pantry Stack Glass Jars (set of 6)", "storage jars"),
    ("Tidy Underbed Storage Bags (pair)", "underbed bags"),
    ("Oakway Bamboo Bread Bin", "bread bin"),
    ("Linnea Washed Linen Duvet Cover, Double", "duvet cover"),
    ("Linnea Washed Linen Pillowcases (pair)", "pillowcases"),
    ("Cloudrest Cotton Sheet Set, King", "sheet set"),
    ("Moorland Waffle Bath Towels (set of 4)", "towels"),
    ("Arden Ceramic Table Lamp", "table lamp"),
    ("Arden Rattan Floor Lamp", "floor lamp"),
    ("Willow Pleated Lampshade 35cm", "lampshade"),
    ("Stowe Folding Storage Boxes (set of 3)", "storage boxes"),
    ("Fenwick Wall Shelf 80cm", "wall shelf"),
    ("Quill Enamel Pie Dishes (set of 2)", "pie dishes"),
    ("Juniper Throw Blanket", "throw"),
)

PROMO_CODES: tuple[str, ...] = ("WELCOME10", "AUTUMN15", "LARK20", "FREESHIP", "COSYHOME", "POINTS5")

COLOURS: tuple[str, ...] = ("sage", "cream", "terracotta", "ink blue", "oat", "blush", "charcoal")

#: First and last names for invented customers (combined at random; any resemblance is chance).
FIRST_NAMES: tuple[str, ...] = (
    "Maya", "Tom", "Priti", "Gareth", "Chloe", "Imran", "Hannah", "Declan", "Aisha", "Robin",
    "Fiona", "Kwame", "Lucy", "Marek", "Sian", "Oliver", "Niamh", "Jonah", "Beth", "Ravi",
    "Zoe", "Callum", "Leah", "Tariq", "Eilidh", "Samira", "Grace", "Owen", "Yasmin", "Pete",
    "Harriet", "Devika", "Nadia", "Ewan", "Carys", "Luca", "Rosie", "Adaeze", "Megan", "Stefan",
)
LAST_NAMES: tuple[str, ...] = (
    "Patel", "Hughes", "Okafor", "Lindqvist", "Bramley", "Chowdhury", "Doyle", "Ferreira",
    "Gallagher", "Hartley", "Iqbal", "Jennings", "Kowalski", "Lomax", "McAllister", "Nowak",
    "Oyelaran", "Pemberton", "Quinlan", "Rahman", "Sutcliffe", "Thornbury", "Varga", "Whitlock",
    "Yeung", "Ashworth", "Brennan", "Castellano", "Dunmore", "Ellery",
)
#: First names of (invented) Larkfield support agents; they appear in chats and quoted replies.
AGENT_NAMES: tuple[str, ...] = ("Priya", "Jordan", "Elena", "Marcus", "Bex", "Hamza")

DAYS_WORDS: tuple[str, ...] = ("nine", "ten", "eleven", "12", "six", "eight", "15")


# ---------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------

THEMES: tuple[Theme, ...] = (
    # ---------------------------------------------------------------- discovery
    Theme(
        id="found_via_social",
        name="Found via Instagram or an influencer",
        stage="discovery",
        expected_sentiment="positive",
        polarity="high",
        families={
            "how": (
                "I first saw Larkfield on Instagram, someone I follow had the {noun} in her kitchen.",
                "Found you through a TikTok haul video and went straight to the site.",
                "An influencer I like posted a reel with your bedding and I was sold.",
                "Your sponsored post popped up in my feed and for once I actually clicked it.",
                "Spotted the {noun} on a home-decor account on Insta and had to track it down.",
                "Discovered the shop from a YouTube kitchen tour, I'd never heard of you before that.",
                "honestly only found u bc of a tiktok",
                "A Pinterest pin of a styled bedroom led me to your lamp range.",
            ),
            "feeling": (
                "Glad I followed that link, it was a nice surprise.",
                "Usually I scroll straight past adverts on social media, but this one was worth it.",
                "It looked just like it did in the video, which was reassuring.",
                "Nice to find a smaller shop that isn't one of the giant marketplaces.",
                "Not bad at all for an impulse click.",
                "Instagram did its job this time, I'm not complaining.",
            ),
        },
        interview=(
            "I think it was, um, an Instagram story? One of those home accounts I follow had the {noun} on her worktop and I tapped through.",
            "Honestly it was TikTok. My daughter showed me a video of someone unboxing your bedding and I thought, well, that looks nice.",
            "It was a sponsored post, which I normally ignore, but the photo was really well done so I clicked.",
        ),
        titles=("Found via Instagram", "Saw it on TikTok", "Worth the click", "Influencer made me do it"),
    ),
    Theme(
        id="friend_recommended",
        name="Recommended by a friend or family member",
        stage="discovery",
        expected_sentiment="positive",
        polarity="high",
        families={
            "how": (
                "My sister swears by your towels so I finally gave you a try.",
                "A friend recommended Larkfield when I was setting up my first flat.",
                "Heard about you from a colleague who'd bought the same kettle.",
                "My neighbour showed me her {noun} and told me where she got it.",
                "Word of mouth, basically: my mum kept going on about your bedding.",
                "Someone in my book club mentioned the shop and I looked it up that night.",
                "friend sent me a referral link so thought why not",
            ),
            "feeling": (
                "If she trusts it, that's good enough for me.",
                "A personal recommendation counts for more than any advert.",
                "She was right, to be fair.",
                "Nice to get a tip from someone who has actually used the stuff.",
                "I trust my friends' taste more than influencers, so that's how I ended up here.",
                "Glad I listened to her for once!",
            ),
        },
        interview=(
            "A friend of mine, we were at hers for dinner, and she'd cooked in this big green casserole dish, and I asked where it was from.",
            "My brother-in-law, actually. He's quite fussy about kitchen stuff, so when he said Larkfield was decent I believed him.",
            "It was word of mouth really, a couple of the mums at the school gate kept mentioning it.",
        ),
        titles=("Recommended by a friend", "My sister was right", "Came on a recommendation"),
    ),
    # ---------------------------------------------------------------- browsing
    Theme(
        id="photos_misleading",
        name="Product photos misleading, colour differs",
        stage="browsing",
        expected_sentiment="negative",
        families={
            "what": (
                "The colour is nothing like the photos, what's sold as '{colour}' is basically grey.",
                "What arrived looks far cheaper than it does on the product page.",
                "The pictures must be heavily edited because the real thing is much duller.",
                "Listed as cream, arrived a yellowish beige.",
                "The photos make it look twice the size it actually is.",
                "Colour on screen and colour in real life are two different things here.",
                "the 'terracotta' is more like traffic cone orange lol",
                "The lampshade looks like linen in the pictures but it's shiny plastic.",
            ),
            "impact": (
                "I chose it specifically to match my curtains, so that's a problem.",
                "Feels a bit misleading, honestly.",
                "Please use photos taken in normal daylight instead of studio lighting.",
                "I wouldn't have ordered it if the images had been accurate.",
                "Great, so now I own a grey duvet I didn't want. Thanks.",
                "It's not awful, but it's not what I paid for either.",
            ),
        },
        interview=(
            "On the website it was this lovely soft {colour} colour, and when it came out of the box it was, I mean, it was just grey. Flat grey.",
            "The photo had it styled with all these plants and nice light, and in my living room it looked, honestly, a bit cheap.",
            "I zoomed right in on the pictures before buying, so I was quite surprised the texture was completely different in person.",
        ),
        subjects=("Colour not as pictured", "Item looks different to website", "Wrong shade?", "Not what the photos show"),
        titles=("Not the colour shown", "Looks nothing like the photo", "Misleading pictures", "Disappointed with colour", "Grey, not sage"),
        tags=("product_query", "colour"),
    ),
    Theme(
        id="size_info_missing",
        name="Size and dimension information missing",
        stage="browsing",
        expected_sentiment="negative",
        families={
            "what": (
                "There are no dimensions listed anywhere for the {noun}.",
                "I couldn't find the actual measurements, just 'large' and 'small'.",
                "The listing doesn't say how deep the shelf is, which is the one thing I needed.",
                "Turns out 'double' on this site is smaller than a standard double.",
                "No size chart for the bedding, so I had to guess.",
                "The storage boxes are way smaller than I expected and nowhere does it give the height.",
                "would it kill you to put the cm on the page??",
                "I measured my cupboard three times, but the page never said how tall the jars are.",
            ),
            "impact": (
                "Ended up sending it back because it didn't fit.",
                "A simple dimensions table would save everyone a return.",
                "I had to email to ask and that shouldn't be necessary.",
                "The questions section is full of people asking the same thing.",
                "Fine product, wrong size, and that's on the listing, not on me.",
                "Please add a diameter for the pans, 'medium' means nothing.",
            ),
        },
        interview=(
            "I wanted to know if the shelf would fit in the alcove, and there just wasn't a measurement, so I ended up guessing. And guessing wrong, obviously.",
            "The bedding says double, but it doesn't give you the actual size in centimetres, and our mattress is quite deep, so.",
            "I looked for a size chart for ages, I even scrolled through all the reviews hoping someone had measured it.",
        ),
        subjects=("Dimensions?", "Size question before ordering", "Measurements missing"),
        titles=("No measurements given", "Smaller than expected", "Check the size first", "Size info needed"),
        tags=("product_query", "size"),
    ),
    Theme(
        id="search_filters_poor",
        name="Search and filters don't work well",
        stage="browsing",
        expected_sentiment="negative",
        families={
            "what": (
                "The search bar is useless, typing 'kettle' shows me towels.",
                "Filters reset every time I go back a page.",
                "You can't filter by colour or by price, which is basic stuff.",
                "Searching for 'king size' brings up results that aren't king size.",
                "I know you sell it, but the search says no results.",
                "Spent ages scrolling because there's no way to sort by price from low to high.",
                "search in the app is awful, misspell one letter and u get nothing",
                "Filtering by 'in stock' still shows loads of things that are sold out.",
                "The category menu is so confusing that I gave up and used Google to find your own page.",
            ),
            "impact": (
                "I nearly gave up and bought elsewhere.",
                "It makes browsing feel like hard work.",
                "Love the products, hate finding them.",
                "Searching on here is an absolute joy, said no one ever.",
                "Please fix the search, it's costing you sales.",
            ),
        },
        interview=(
            "I typed in 'lamp' and the first thing it showed me was a tea towel. I mean, come on.",
            "I'd set the filters, price and colour and everything, then I clicked into a product, came back, and they'd all gone. Every time.",
            "The menu is, um, it's a bit of a maze? Like is a bread bin 'kitchen' or 'storage'? I never know.",
        ),
        titles=("Can't find anything", "Search needs work"),
        tags=("website", "search"),
    ),
    # ---------------------------------------------------------------- checkout
    Theme(
        id="promo_code_rejected",
        name="Promo code rejected at checkout",
        stage="checkout",
        expected_sentiment="negative",
        families={
            "what": (
                "The discount code from your email says invalid at checkout.",
                "Tried {code} three times and it keeps saying it's expired, but the email says it runs till Sunday.",
                "Your welcome code doesn't work on anything I've put in my basket.",
                "The promo code applied and then vanished when I got to payment.",
                "Code accepted, total didn't change.",
                "I was promised free delivery with the code but got charged anyway.",
                "code not working!!! what is the point of sending it",
                "The app won't take the voucher but the website does, or the other way round, depending on the day.",
            ),
            "impact": (
                "I'd like the discount applied to my order please.",
                "Feels like bait and switch.",
                "I only ordered because of the offer, so that's pretty annoying.",
                "Not the end of the world, but I'd like the 15% I was promised.",
                "If the code has exclusions, say so in the email.",
                "Please honour the code or I'll cancel.",
            ),
        },
        interview=(
            "You'd sent me this code, fifteen percent off, and I put it in and it just said 'not valid'. Tried it in the app, tried it on the laptop, nothing.",
            "The voucher went in fine, it said applied, little green tick, but then on the payment page the price was back to the full amount.",
        ),
        subjects=("Discount code not working", "Promo code invalid", "Voucher didn't apply", "{code} code rejected", "Missing discount on order"),
        titles=("Code didn't work",),
        tags=("checkout", "promo"),
    ),
    Theme(
        id="shipping_cost_late",
        name="Delivery cost revealed late at checkout",
        stage="checkout",
        expected_sentiment="negative",
        families={
            "what": (
                "Delivery charges only show up on the very last screen.",
                "A £4.95 delivery fee appeared right at the end, after I'd typed in all my details.",
                "Why is the delivery price hidden until the payment page?",
                "The basket said one total and checkout said another.",
                "Nobody mentions the 'large item' fee until you're about to pay.",
                "shipping cost sprung on me at the end, nearly closed the tab",
                "Free delivery over £50, except apparently not for lamps, which I found out at checkout.",
                "I had no idea there'd be an extra charge for next day until the final step.",
            ),
            "impact": (
                "I abandoned my basket the first time because of it.",
                "Just show it on the product page, it's not hard.",
                "It feels sneaky even if it's not meant to be.",
                "Surprise fees are the fastest way to lose a sale.",
                "I paid it in the end, but grudgingly.",
                "Love a surprise at checkout. Not that kind though.",
            ),
        },
        interview=(
            "Everything looked fine until the very last page and then there's suddenly another six pounds on top for delivery. I actually closed the tab.",
            "It's the, the delivery charge. You don't see it until you've put your card details in, practically.",
            "I'd worked out my budget, you know, and then the total was different at the end because of the big-item delivery thing.",
        ),
        titles=("Watch the delivery charge", "Hidden delivery fee"),
        tags=("checkout", "delivery_fee"),
    ),
    Theme(
        id="payment_error",
        name="Payment declined, double charge or crash at payment",
        stage="checkout",
        expected_sentiment="negative",
        families={
            "what": (
                "My card keeps getting declined even though it works everywhere else.",
                "Payment failed twice and then I was charged twice.",
                "The app crashes the moment I tap 'Pay now'.",
                "Apple Pay spins forever and then times out.",
                "I got an error at payment, but the money still left my account.",
                "The PayPal window opens then closes and nothing happens.",
                "It says 'something went wrong' at the final step every single time.",
                "app crashed at checkout 3 times, gave up",
                "The card security screen never loads, so the payment can't finish.",
            ),
            "impact": (
                "Can someone confirm whether the order actually went through?",
                "Please refund the duplicate charge.",
                "My bank says it's not them, so it must be your end.",
                "I've lost my basket twice because of it.",
                "Absolutely fuming, I've now been charged for something I haven't got!",
                "Had to use my partner's card in the end.",
            ),
        },
        interview=(
            "So I pressed pay, and it sort of thought about it, and then it said error. And then I looked at my banking app and it had gone out. Twice, actually.",
            "The app just shut itself down right at the payment bit. I did it three times before I gave up and went on the laptop.",
        ),
        subjects=("Charged twice", "Payment declined", "Payment error but money taken", "Double charge on my card", "App crashes at payment"),
        titles=("Crashes at checkout",),
        tags=("payment", "billing"),
    ),
    Theme(
        id="account_login_friction",
        name="Forced account creation and login problems",
        stage="checkout",
        expected_sentiment="negative",
        families={
            "what": (
                "Why do I have to create an account just to buy one lamp?",
                "There's no guest checkout, so I had to make yet another password.",
                "The app logs me out every time I get to the basket.",
                "The password reset email never arrives, so I'm locked out with things in my basket.",
                "It made me sign up before I could even see the delivery options.",
                "forced account creation = instant annoyance",
                "I signed in with Google and it created a second account with an empty basket.",
                "The login code by text takes ten minutes to come through.",
                "Having to verify my email before paying is overkill.",
            ),
            "impact": (
                "I just want to pay and leave, not join a club.",
                "Nearly bought from somewhere else because of it.",
                "Give me a guest option and I'll happily spend money.",
                "It's a small thing, but it puts people off.",
                "I already have too many accounts for too many shops.",
            ),
        },
        interview=(
            "I didn't want an account, I just wanted the lamp. But it wouldn't let me go any further without one, so, another password I'll forget.",
            "The app kept logging me out. I'd get to the basket and it's 'please sign in', and I'd sign in and the basket was empty.",
        ),
        titles=("Keeps logging me out",),
        tags=("account",),
    ),
    # ---------------------------------------------------------------- delivery
    Theme(
        id="late_delivery",
        name="Late delivery",
        stage="delivery",
        expected_sentiment="negative",
        families={
            "what": (
                "My order {order} was due on Tuesday and still hasn't turned up.",
                "It arrived a week later than the date you gave me.",
                "Delivery was promised in two to three days and it took {days}.",
                "Still waiting on my parcel, it's now {days} days late.",
                "Next day delivery, my foot. It came four days later.",
                "The estimated delivery date keeps getting pushed back.",
                "I paid extra for express and it turned up later than standard would have.",
                "{courier} missed the delivery window twice.",
                "where is my order?? its been nearly 2 weeks",
                "Your site said 'arriving Friday', it's now the following Thursday.",
                "It's fine I guess, but it arrived a week late.",
                "The parcel sat at the depot for days for no reason.",
            ),
            "impact": (
                "It was a birthday present, so that's ruined.",
                "I took a day off work to wait in for it, for nothing.",
                "We had guests coming and no bedding.",
                "Not the end of the world, but a heads up would have been nice.",
                "Honestly, just tell me it'll take longer and I'll plan around it.",
                "This is the second time an order has been late.",
                "ABSOLUTELY RIDICULOUS, I want my delivery fee back!",
                "Lovely to know my parcel is enjoying a longer holiday than I am.",
            ),
        },
        interview=(
            "It was meant to come on the Thursday and it didn't come until the, the Wednesday after. So nearly a week late, and nobody told me anything.",
            "We were waiting for the bedding because my parents were coming to stay, and it just didn't arrive. They slept under coats, basically.",
            "I'd stayed in all day for it. Took the day off. And then at six o'clock I get a message saying it's been rescheduled.",
            "It's not the worst thing in the world, things are late, but it was late every single time I ordered, which is a pattern, isn't it.",
        ),
        subjects=("Where is my order?", "Order not arrived", "Late delivery {order}", "Still waiting for parcel", "Delivery overdue", "My order is late", "WISMO - {order}"),
        titles=("Arrived very late", "Slow delivery", "Took forever to arrive", "Late, late, late", "Good item, late delivery"),
        tags=("delivery", "wismo", "late"),
    ),
    Theme(
        id="parcel_wrong_place",
        name="Courier left parcel in the wrong place",
        stage="delivery",
        expected_sentiment="negative",
        families={
            "what": (
                "The driver left my parcel by the bins.",
                "{courier} marked it delivered, but it was at a house three doors down.",
                "My box was left on the doorstep in the pouring rain and was soaked through.",
                "The photo proof of delivery shows a door that isn't mine.",
                "It was chucked over the back fence and I only found it the next day.",
                "left with a neighbour I've never met, no card through the door",
                "I asked for it to go in the porch and they left it in the street.",
                "The note said 'in the recycling bin'. The recycling bin!",
                "The parcel was delivered to the wrong block of flats entirely.",
            ),
            "impact": (
                "Lucky it hadn't been nicked.",
                "Anyone could have walked off with it.",
                "Please have a word with your courier.",
                "I've got the photo if you need it.",
                "Not exactly what 'safe place' means, is it?",
            ),
        },
        interview=(
            "The app said delivered, with a photo, and the photo was of a green door. My door is blue. So I'm wandering up and down the street knocking on doors.",
        ),
        subjects=("Parcel left in wrong place", "Marked delivered - not here", "Delivered to wrong address", "Courier left parcel outside"),
        tags=("delivery", "courier"),
    ),
    Theme(
        id="tracking_not_updating",
        name="Tracking not updating",
        stage="delivery",
        expected_sentiment="negative",
        families={
            "what": (
                "Tracking has said 'label created' for five days.",
                "The tracking link just says 'information unavailable'.",
                "The tracking screen in the app is blank for my order.",
                "No updates since it left the warehouse on Monday.",
                "Your tracking says delivered, but {courier}'s says in transit.",
                "tracking page hasnt moved in days",
                "The map on the tracking screen shows the van in another city.",
                "I got a 'your parcel is on its way' email but the tracking number doesn't work.",
                "The order page still says 'processing' and nothing else.",
            ),
            "impact": (
                "I have no idea if it's lost or just slow.",
                "I can't plan my day around a delivery I can't see.",
                "A simple status update would stop me emailing you.",
                "Refreshing that page is my new hobby, apparently.",
                "Please just tell me where it is.",
            ),
        },
        interview=(
            "The tracking was just, it said 'label created' and then nothing for days. I didn't know if it was in a van or still on a shelf somewhere.",
            "I kept checking the tracking in the app and it was a blank screen, just a spinning wheel, so I gave up and emailed.",
        ),
        subjects=("Tracking not updating", "Tracking number doesn't work", "No tracking information", "Tracking stuck"),
        titles=("Tracking screen broken",),
        tags=("delivery", "tracking"),
    ),
    Theme(
        id="damaged_in_transit",
        name="Damaged in transit",
        stage="delivery",
        expected_sentiment="negative",
        families={
            "what": (
                "It arrived with a big dent in the side.",
                "The box was crushed and the glass lid was in pieces.",
                "Two of the plates were smashed when I opened it.",
                "It came in a bag with no padding, so no surprise it cracked.",
                "The lamp base was chipped straight out of the box.",
                "The packaging was soaked and the cardboard had split open.",
                "the kettle lid is snapped off, box looked like someone stood on it",
                "Opened it to find the enamel chipped all along the rim.",
            ),
            "impact": (
                "I've attached photos of the damage.",
                "Can you send a replacement rather than a refund?",
                "Better packaging would save you a fortune in returns.",
                "Gutted, I'd been looking forward to this.",
                "Not ideal for a wedding gift.",
                "Well, at least the box made a nice noise when I shook it.",
            ),
        },
        interview=(
            "The box was all squashed on one corner, and I thought, oh no, and yeah, two of the bowls were in bits.",
            "The lamp came, um, with the base chipped, right on the front, so you couldn't even turn it to the wall to hide it.",
        ),
        subjects=("Item arrived damaged", "Broken on arrival", "Damaged parcel", "Arrived smashed"),
        titles=("Arrived broken", "Damaged on arrival", "Poor packaging"),
        tags=("delivery", "damaged"),
    ),
    # ---------------------------------------------------------------- use and support
    Theme(
        id="great_quality",
        name="Great product quality",
        stage="use_support",
        expected_sentiment="positive",
        polarity="high",
        families={
            "what": (
                "Really solid, much heavier than I expected.",
                "Lovely quality, the stitching on the duvet cover is perfect.",
                "Honestly better than the department store version at half the price.",
                "Been using the pan daily for months and it still looks new.",
                "Feels like a properly made thing, not flimsy at all.",
                "The linen gets softer with every wash.",
                "Not bad at all for the price, really well finished.",
                "Heats evenly, cleans easily, no complaints whatsoever.",
                "gorgeous lamp, looks way more expensive than it was",
                "The quality is excellent and it looks even better in person.",
                "Sturdy, well designed, and the lids actually seal.",
                "Sleeps beautifully cool, the best sheets I've owned.",
            ),
            "feeling": (
                "Really pleased with it.",
                "Would buy again without a second thought.",
                "Exactly what I hoped for.",
                "Can't fault it.",
                "Five stars, deserved.",
            ),
            "use": (
                "We use it pretty much every day.",
                "It has survived the dishwasher and a clumsy teenager.",
                "I liked it so much I bought a second one for my mum.",
                "It's already been through a dozen washes.",
                "It takes pride of place on the worktop.",
                "Got it in the sale, which made it even better.",
                "I've had it about six months now.",
                "Even my very picky mother-in-law approved.",
            ),
        },
        interview=(
            "The casserole dish is, honestly, it's the best thing in my kitchen. It's heavy, it holds the heat, I do everything in it.",
            "The sheets are lovely. They feel like hotel sheets, and they've gone through the wash loads of times and still look good.",
            "I was a bit nervous because it wasn't expensive, but the quality is really, really good. Better than I expected.",
        ),
        titles=("Excellent quality", "Love it", "Superb", "Really well made", "Better than expected", "Great buy", "Beautiful"),
    ),
    Theme(
        id="broke_after_weeks",
        name="Product broke after a few weeks",
        stage="use_support",
        expected_sentiment="negative",
        families={
            "what": (
                "The kettle stopped working after three weeks.",
                "The handle came loose on the saucepan within a month.",
                "The non-stick coating started peeling after a handful of uses.",
                "The lamp switch died after about six weeks.",
                "The zip on the storage bag broke the second time I used it.",
                "The toaster only heats one side now, and it's barely two months old.",
                "the blender motor burnt out, smelt awful, used it maybe 5 times",
                "The seams on the pillowcase split after the first wash.",
                "The hinge on the bread bin snapped off.",
            ),
            "impact": (
                "For the price I expected it to last years.",
                "Disappointing, it was lovely while it lasted.",
                "Is this covered by the warranty?",
                "Really poor durability, I won't be buying this one again.",
                "Built to last... about a month.",
                "Not what you want from something that's meant to be good quality.",
            ),
        },
        interview=(
            "The kettle, it was fine for about three weeks and then one morning it just didn't switch on. No light, nothing.",
            "The pan was great at first, and then the coating started coming off in little flakes, which, you know, you don't want that in your eggs.",
        ),
        subjects=("Item stopped working", "Faulty item - broke after a month", "Warranty claim", "Product broken after few uses", "Product fell apart"),
        titles=("Broke after a month", "Stopped working", "Poor durability", "Didn't last", "Faulty"),
        tags=("product_fault", "warranty"),
    ),
    Theme(
        id="support_chat_helpful",
        name="Support chat was helpful",
        stage="use_support",
        expected_sentiment="positive",
        polarity="high",
        families={
            "what": (
                "The chat agent sorted everything out in about five minutes.",
                "{agent} on live chat was brilliant and really patient with me.",
                "Support got back to me the same day and fixed it.",
                "The person on the chat actually read my message properly.",
                "Really friendly help, no scripts, no runaround.",
                "Customer service sent a replacement without me even asking.",
                "quick reply on chat, problem solved, thank u",
                "I rang up and spoke to a lovely man who sorted my order in minutes.",
                "The chatbot passed me to a real person straight away, which I appreciated.",
            ),
            "feeling": (
                "That's how customer service should be.",
                "Made up for the original problem, honestly.",
                "Really impressed by the support team.",
                "I wasn't expecting much but they were great.",
                "Couldn't have asked for more.",
            ),
        },
        interview=(
            "I went on the chat expecting a fight, to be honest, and the lady was lovely. She just said, right, I'll send a new one out, and that was it.",
            "The support person actually listened, which, you know, isn't always the case. Sorted in one go.",
            "I was on the chat for maybe five minutes. Done. I wish everything was that easy.",
        ),
        titles=("Great customer service",),
        tags=("praise",),
    ),
    Theme(
        id="support_unreachable",
        name="Long waits on hold, no reply to emails",
        stage="use_support",
        expected_sentiment="negative",
        families={
            "what": (
                "I've been on hold for forty minutes.",
                "This is my third email and still no reply.",
                "The chatbot just loops me back to the FAQ page.",
                "Nobody answers the phone, it rings out and then cuts off.",
                "You said you'd reply within 24 hours. It's been a week.",
                "I keep getting automated replies and no actual answer.",
                "waited on hold for an hour then got cut off!!!",
                "Every time I call I'm told someone will ring me back and nobody ever does.",
                "There's no way to talk to a human, just the bot.",
            ),
            "impact": (
                "Please, can a real person look at this.",
                "It's really frustrating when you just want a simple answer.",
                "I'm about to give up and do a chargeback.",
                "Lovely hold music though, I know every note of it now.",
                "I don't mind waiting, but I do mind being ignored.",
            ),
        },
        interview=(
            "I emailed, nothing. Emailed again, got the automatic thing, 'we aim to reply within 24 hours'. A week later, still nothing.",
            "I rang and was on hold for, I timed it, 52 minutes. And then it just cut off. I could've cried.",
            "The chatbot is, it's like talking to a wall. It keeps sending you the same help article.",
        ),
        subjects=("Third email - no reply", "No response to my emails", "Still waiting for a reply", "Can't get through on phone", "Complaint - no one answering"),
        tags=("complaint", "escalation"),
    ),
    # ---------------------------------------------------------------- returns
    Theme(
        id="refund_slow",
        name="Refund slow to arrive",
        stage="returns",
        expected_sentiment="negative",
        families={
            "what": (
                "I sent the return back a month ago and still no refund.",
                "The refund took three weeks to show up.",
                "You've had my parcel back since the 4th, so where's my money?",
                "{courier} shows it was delivered back to you, but the refund hasn't been processed.",
                "I was told five to seven working days for the refund, it's been nearly three weeks.",
                "still no refund for {order}, this is getting silly",
                "Not the end of the world, though the refund took three weeks.",
                "The refund came through eventually, after four emails.",
                "Return received, refund 'pending' for fifteen days.",
                "Why does taking my money take seconds but giving it back takes weeks?",
            ),
            "impact": (
                "That's money I need for other things.",
                "I'm going to have to go to my bank if it doesn't appear this week.",
                "Please can you chase this up.",
                "Everything else was fine, it's just the waiting.",
                "I WANT MY MONEY BACK. NOW.",
                "Can't believe how long this is taking.",
            ),
        },
        interview=(
            "The refund took, um, I want to say three weeks? Maybe more. It's money I'd already spent in my head, you know.",
            "I sent it back the same day, got the proof of postage, and then it was just waiting and waiting for the refund. I had to chase it twice.",
            "Sending it back was fine, it's the money coming back that took forever. Nearly a month.",
        ),
        subjects=("Refund not received", "Where is my refund?", "Refund still pending", "Returned item - no refund yet", "Refund for {order}", "Chasing refund"),
        titles=("Still waiting for refund", "Slow refund", "Refund took weeks"),
        tags=("returns", "refund"),
    ),
    Theme(
        id="returns_easy",
        name="Returns process easy",
        stage="returns",
        expected_sentiment="positive",
        polarity="high",
        families={
            "what": (
                "Returning was simple, I printed the label and dropped it at the post office.",
                "Loved that the return label was already in the box.",
                "The QR code return meant I didn't even need a printer.",
                "The return was free and the drop-off point was round the corner.",
                "Easy return, and the refund arrived in a couple of days.",
                "sent it back no questions asked, easy",
                "The returns page walks you through it, took two minutes.",
                "I exchanged the duvet for a bigger size with no hassle.",
                "A 30 day window and a free collection from my door, brilliant.",
            ),
            "feeling": (
                "Makes me more confident about ordering again.",
                "Honestly the easiest return I've ever done.",
                "No faff at all.",
                "Not a bad experience at all, considering it was a return.",
                "That alone will keep me shopping here.",
            ),
        },
        interview=(
            "The return was actually really easy. There was a QR code, I showed it at the shop, they scanned it, done.",
            "I'll give them that, sending things back is painless. The label's in the box, you just stick it on.",
        ),
        titles=("Easy returns", "Hassle-free return"),
        tags=("returns",),
    ),
    # ---------------------------------------------------------------- loyalty / advocacy
    Theme(
        id="points_confusing",
        name="Loyalty points confusing",
        stage="loyalty",
        expected_sentiment="mixed",
        polarity="mid",
        families={
            "what": (
                "I've no idea how many Larkfield Points I've actually got.",
                "The points didn't show up after my last order.",
                "Can't work out how to spend my points at checkout.",
                "I like collecting Larkfield Points, but the rules are a mystery.",
                "My points expired and nobody told me.",
                "The app says 1,200 points and the website says 300.",
                "what are points even worth?? the page doesnt say",
                "Points seem to vanish whenever I return something, even if I only return one item.",
            ),
            "impact": (
                "Nice idea, badly explained.",
                "A simple balance in pounds would help.",
                "It's a nice perk when it works.",
                "I'd use it more if I understood it.",
                "Points are great, understanding them is not.",
                "I'd shop here more if the rewards made sense.",
            ),
        },
        interview=(
            "The points thing, I do like getting points, but I couldn't tell you what they're worth. Is a hundred points a pound? A penny?",
            "I had points and then I didn't. Apparently they expire, which is fine, but a reminder would have been nice.",
        ),
        subjects=("Larkfield Points missing", "Points balance wrong", "How do I use my points?", "Points expired?"),
        titles=("Points system confusing",),
        tags=("loyalty",),
    ),
    Theme(
        id="too_many_emails",
        name="Too many marketing emails",
        stage="loyalty",
        expected_sentiment="negative",
        families={
            "what": (
                "I'm getting three emails a day from you, it's too much.",
                "Please take me off your mailing list, I've unsubscribed twice.",
                "The unsubscribe link doesn't work.",
                "The daily 'don't miss out' emails are driving me mad.",
                "You keep texting me offers I never signed up for.",
                "bought one thing and now my inbox is all larkfield",
                "Every morning there's another sale email, I've started deleting them unread.",
                "I ticked no to marketing and still got the newsletter.",
                "Can I just get an email when my order ships and nothing else?",
            ),
            "impact": (
                "It's making me like the brand less, not more.",
                "Once a week would be plenty.",
                "Please respect the settings I chose.",
                "I liked the shop until the spam started.",
                "Wow, another 'last chance' sale, the fifth last chance this week.",
            ),
        },
        interview=(
            "And the emails. Oh my goodness, the emails. Every day, sometimes twice. I've unsubscribed and they still come.",
        ),
        subjects=("Unsubscribe please", "Stop sending me emails", "Too many marketing emails", "Unsubscribe not working"),
        tags=("marketing", "unsubscribe"),
    ),
    Theme(
        id="would_recommend",
        name="Would recommend to friends",
        stage="loyalty",
        expected_sentiment="positive",
        polarity="high",
        families={
            "what": (
                "I've already recommended you to my sister and two friends.",
                "Would definitely recommend Larkfield to anyone setting up a home.",
                "I'm telling everyone about this shop.",
                "Sent my referral link to half my WhatsApp group.",
                "Ten out of ten, would recommend.",
                "I'll keep shopping here and I'll keep telling people about it.",
                "Already left a review and shared it on Facebook.",
                "recommend recommend recommend",
                "My go-to for anything home related now, and I tell people so.",
            ),
            "feeling": (
                "Can't say a bad word about them.",
                "A shop I genuinely trust.",
                "Happy customer, will be back.",
                "Keep doing what you're doing.",
                "Wouldn't hesitate to recommend.",
            ),
        },
        interview=(
            "Oh, I'd recommend them, definitely. I already have, I've sent the link to about four people.",
            "If a friend asked me where to get a nice lamp or bedding, Larkfield is the first place I'd say, yeah.",
            "I've bought my sister a few bits from there and now she orders from them too, so I suppose I'm their unofficial rep.",
        ),
        titles=("Highly recommend", "Would recommend", "My favourite shop", "10/10"),
        tags=("praise",),
    ),
)


#: What people say in interviews once the story is told: feelings, consequences, asides.
SPOKEN: dict[str, tuple[str, ...]] = {
    "found_via_social": (
        "I'm normally quite cynical about that stuff, but it did look genuinely nice in the video.",
        "I'd never have found you otherwise, you don't come up when I search for kitchen things.",
        "And it felt more, I don't know, real than a normal advert? Because it was in someone's actual house.",
    ),
    "friend_recommended": (
        "When someone you know has actually used it, you trust it more, don't you.",
        "I probably wouldn't have bothered otherwise, there are so many of these shops.",
        "She's got good taste, so I figured, why not.",
    ),
    "photos_misleading": (
        "I did think about sending it back, but honestly I couldn't face the faff, so it's in the spare room.",
        "I just think, show it as it is. I'd probably still have bought it if I'd known.",
        "It made me trust the other photos less as well, if that makes sense.",
    ),
    "size_info_missing": (
        "I got the tape measure out and then realised there was nothing on the page to compare it to.",
        "It's such an easy fix, just put the numbers on the page.",
        "I sent a message to ask, and by the time they replied I'd already ordered it. Wrong size, obviously.",
    ),
    "search_filters_poor": (
        "I ended up going on Google and typing 'Larkfield lamp' to find it, which is mad.",
        "It's the filters going back to nothing that gets me. Every single time.",
        "I know what I want, I just can't get the site to show it to me.",
    ),
    "promo_code_rejected": (
        "In the end I emailed and they did knock it off, but it took a while and I shouldn't have had to.",
        "It makes you feel a bit had, you know? Like, why send it if it doesn't work.",
        "I nearly didn't bother with the order at all after that.",
    ),
    "shipping_cost_late": (
        "It's not even the money, it's that it felt like a trick.",
        "I'd rather know upfront. Put it next to the price.",
        "I did go back the next day and buy it, but I wasn't happy about it.",
    ),
    "payment_error": (
        "I didn't know if I'd bought it or not. That's the worst bit, not knowing.",
        "I had to ring my bank, and they said it was nothing to do with them.",
        "It did get sorted, the second payment went back, but it was a good week of worrying.",
    ),
    "account_login_friction": (
        "It's just one more hoop. I wanted to buy a lamp, not join something.",
        "I've got a notebook full of passwords, honestly, and this is one more for it.",
        "If there'd been a guest option I'd have been done in two minutes.",
    ),
    "late_delivery": (
        "It's the not knowing that's the worst. If you tell me Tuesday, I plan for Tuesday.",
        "I wasn't furious, I was just, you know, a bit let down.",
        "I'd rather you said ten days and it came in seven than the other way round.",
        "We managed, obviously, but it wasn't what I'd planned.",
    ),
    "parcel_wrong_place": (
        "I got it back in the end, the lady at number forty had it, but I was ready to write it off.",
        "It's the photo thing that annoyed me. They clearly knew it wasn't my door.",
        "Anyone could've taken it. It's a busy road.",
    ),
    "tracking_not_updating": (
        "I must have checked it twenty times a day.",
        "Just a little update would've stopped me emailing them. They'd have saved themselves the hassle.",
        "It turned up eventually, and the tracking still said it hadn't left the warehouse, ha.",
    ),
    "damaged_in_transit": (
        "They did send a new one, to be fair, but it meant waiting all over again.",
        "The packaging was, it was just a bag basically. For plates!",
        "I was gutted, because I'd been looking forward to it.",
    ),
    "great_quality": (
        "I've told loads of people about that dish, it's just really well made.",
        "Honestly, for what I paid, I'm amazed. It feels like it'll last forever.",
        "I use it every day and it still looks new.",
    ),
    "broke_after_weeks": (
        "I was quite sad, actually, because I'd really liked it until then.",
        "For something that's meant to be good quality you'd expect it to last more than a few weeks.",
        "I've got a replacement now, and I'm waiting to see if the new one lasts.",
    ),
    "support_chat_helpful": (
        "Honestly, that changed how I felt about the whole thing. I went from annoyed to, oh, okay, they're alright.",
        "She didn't make me explain it three times, which, you know, is rare.",
        "I'd use the chat again, definitely.",
    ),
    "support_unreachable": (
        "You start to feel a bit mad, like, is anyone actually there?",
        "I'm not an angry person, but I did end up writing quite a cross email.",
        "If someone had just replied, even to say 'we're looking into it', I'd have been fine.",
    ),
    "refund_slow": (
        "It's my money, you know? They were very quick to take it.",
        "I was checking my bank every morning.",
        "Everything else about the return was fine, it's just the waiting for the money.",
    ),
    "returns_easy": (
        "It's the main reason I'll order things I'm not sure about. I know I can just send them back.",
        "It took me five minutes, including walking to the shop.",
        "Honestly, other shops could learn from that.",
    ),
    "points_confusing": (
        "I think I've got points? Somewhere? I'd have to check.",
        "If it said 'you've got three pounds to spend' I'd understand it.",
        "I like the idea of it, I just don't get how it works.",
    ),
    "too_many_emails": (
        "I just delete them now without opening them, which probably isn't what they want.",
        "Once a week, fine. Every day is too much.",
        "It actually puts me off, it feels a bit desperate.",
    ),
    "would_recommend": (
        "I tell people about it quite a lot, actually, when they ask where things are from.",
        "Yeah, overall, I'd say go for it, definitely.",
        "My friends tease me, because every time they compliment something in the house I say 'Larkfield'.",
    ),
}

THEMES = tuple(replace(theme, spoken=SPOKEN[theme.id]) for theme in THEMES)

THEMES_BY_ID: dict[str, Theme] = {theme.id: theme for theme in THEMES}


# ---------------------------------------------------------------------------------------------
# Non-theme material: greetings, context, sign-offs, interview glue
# ---------------------------------------------------------------------------------------------

GREETINGS: tuple[str, ...] = (
    "Hi there,", "Hello,", "Hi Larkfield team,", "Dear Sir/Madam,", "Hi,", "Good morning,",
    "Hiya,", "To whom it may concern,", "Hello again,",
)

SIGNOFFS: tuple[str, ...] = ("Thanks,", "Many thanks,", "Kind regards,", "Cheers,", "Best wishes,", "Thank you,", "Regards,")

#: Neutral context a customer adds around the point they are making (no theme of its own).
CONTEXT_SENTENCES: tuple[str, ...] = (
    "I ordered it on Sunday evening.",
    "Bought this for my new flat.",
    "I've ordered from you a few times before.",
    "This was a gift for my mum.",
    "We're redoing the spare room at the moment.",
    "I ordered a couple of other bits at the same time.",
    "First order with you.",
    "It's for our kitchen, which we've just had redone.",
    "My partner placed the order but I'm the one dealing with it.",
    "Ordered on my phone during my lunch break.",
)

#: Neutral context a benchmark record may open with: templates over the store's world, so that at
#: scale (100k records and more) the openings do not repeat. Slots: {product}, {colour}, {occasion},
#: {when}, {device}. Used by the synthetic generator only; the demo corpus keeps CONTEXT_SENTENCES.
CONTEXT_TEMPLATES: tuple[str, ...] = (
    "I ordered the {product} {when}.",
    "Bought the {product} in {colour} {occasion}.",
    "This was the {product}, bought {occasion}.",
    "Ordered {when} on my {device}.",
    "I got the {product} {occasion}.",
    "It was the {colour} one, {occasion}.",
    "Placed the order {when}, {occasion}.",
    "We picked the {product} in {colour} {when}.",
    "Ordered on my {device} {when}.",
    "The {product} was {occasion}.",
)
OCCASIONS: tuple[str, ...] = (
    "for my new flat", "as a gift for my mum", "for my sister's wedding", "for the spare room",
    "for our holiday cottage", "as a housewarming present", "for my dad's birthday", "for the kids' rooms",
    "for my first place", "to replace an old one", "for Christmas", "for the caravan",
    "for my partner", "for the new kitchen", "for a friend's birthday", "for our anniversary",
    "for my daughter's uni halls", "for the guest bedroom", "for the garden room", "for my gran",
    "for the office", "for the rental flat", "for a leaving present", "for my son's new house",
)
WHENS: tuple[str, ...] = (
    "on Sunday evening", "last Tuesday", "a couple of weeks ago", "at the start of the month",
    "over the weekend", "on my lunch break", "late on Friday night", "during the sale",
    "first thing on Monday", "just before the bank holiday", "last month", "on Black Friday",
    "early on Saturday", "a few days ago", "on Wednesday morning", "back in the spring",
)
DEVICES: tuple[str, ...] = ("phone", "laptop", "tablet", "work computer", "app", "iPad")

#: What people put in front of a sentence, and tack onto its end; neither says anything about the
#: theme, so they vary the wording without moving the planted theme.
OPENERS: tuple[str, ...] = (
    "Honestly,", "To be honest,", "Just to say,", "Well,", "So,", "I have to say,", "Basically,",
    "To be fair,", "In short,", "Right,", "OK so", "Quick one:", "For the record,", "Just so you know,",
    "Look,", "Overall,", "Put simply,", "Long story short,", "All in all,", "To sum up,",
    "Tbh", "Frankly,", "First of all,", "As for this order,", "On this occasion,", "Anyway,",
    "Not going to lie,", "I must say,", "If I'm honest,", "In a nutshell,",
)
TAILS: tuple[str, ...] = (
    ", to be honest", ", if I'm honest", ", for what it's worth", ", just so you know", " this time",
    ", to be fair", ", I have to say", ", as it happens", ", in my view", ", for the record",
    ", if that makes sense", ", simple as that", ", in all honesty", ", I'd say", ", as far as I'm concerned",
    ", as I said", ", on this order anyway", ", by the way", ", truth be told", ", all told",
)
#: Tails that name what was bought; `{noun}` and `{colour}` are filled with the record's own slots.
PRODUCT_TAILS: tuple[str, ...] = (
    " with the {noun}", ", this was the {colour} {noun}", " on my {noun} order", " (the {noun})",
    ", talking about the {colour} {noun} here", " with my {noun}", ", re the {noun} I bought",
    " on the {noun} in {colour}",
)

#: Records that say nothing but thanks or hello (noise the pipeline should not make a theme of).
THANKS_ONLY: tuple[str, ...] = (
    "Thanks so much!",
    "Thank you, that's all sorted now.",
    "Great, thanks for your help.",
    "Cheers!",
    "Hello, just replying to say thanks.",
    "Thanks, received.",
)

#: What a moderator asks to open each stage of the journey in an interview.
STAGE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "discovery": (
        "Can you remember how you first came across Larkfield?",
        "So how did you hear about us in the first place?",
        "Let's go right back to the beginning. How did you find the shop?",
    ),
    "browsing": (
        "And when you were looking around the site, choosing things, how was that?",
        "Talk me through how you picked the product. What did you look at?",
        "How did you find browsing, on the website or the app?",
    ),
    "checkout": (
        "What about paying, the checkout part. How did that go?",
        "Walk me through placing the order.",
        "Was there anything about the checkout that stuck with you?",
    ),
    "delivery": (
        "And then the delivery. How did that go?",
        "Tell me about when the order arrived. Or didn't.",
        "How was the delivery side of things?",
    ),
    "use_support": (
        "Once you had the product, how have you got on with it?",
        "Did you ever need to contact customer support?",
        "How has it been actually using the things you bought?",
    ),
    "returns": (
        "Have you ever sent anything back to us?",
        "Tell me about the return.",
        "How did the returns process work for you?",
    ),
    "loyalty": (
        "Would you shop with us again, do you think?",
        "What about after the order, emails, the points scheme, that kind of thing?",
        "Would you recommend us to anyone?",
    ),
}

PROBES: tuple[str, ...] = (
    "Mm-hmm. Can you say a bit more about that?",
    "How did that make you feel?",
    "Right. And what happened next?",
    "Interesting. What would you have expected instead?",
    "Was that the first time that had happened?",
    "And how did you get it sorted in the end?",
    "If you could change one thing there, what would it be?",
)

BACKCHANNELS: tuple[str, ...] = ("Mm-hmm.", "Right.", "Yeah.", "Okay.", "Sure.", "Got it.", "Mm.", "Yeah, yeah.")

ANSWER_OPENERS: tuple[str, ...] = (
    "Yeah, so,", "Um, honestly?", "Oh, gosh.", "Right, so", "Well,", "I mean,", "Ha, okay, so",
    "Hmm. Let me think.", "So, yeah,", "Uh,", "Okay, so basically,",
)

ANSWER_CLOSERS: tuple[str, ...] = (
    "So yeah.", "That's about it really.", "If that makes sense.", "Anyway.", "Yeah.",
    "I don't know if that helps.", "So, that was that.", "Um, yeah.",
)

#: Self-interruptions a speaker makes before getting to the point.
FALSE_STARTS: tuple[str, ...] = (
    "I— I mean, the, the thing is,",
    "It was— hang on. Yes.",
    "We— well, I say we, it was me really.",
    "The, um, the— sorry, let me start again.",
    "So the— no, wait.",
    "I think— no, I know,",
)

#: Sentences written to be sarcastic (their literal words read positive or neutral).
SARCASTIC: tuple[str, ...] = (
    "Great, so now I own a grey duvet I didn't want. Thanks.",
    "Searching on here is an absolute joy, said no one ever.",
    "Love a surprise at checkout. Not that kind though.",
    "Lovely to know my parcel is enjoying a longer holiday than I am.",
    "Refreshing that page is my new hobby, apparently.",
    "Well, at least the box made a nice noise when I shook it.",
    "Built to last... about a month.",
    "Lovely hold music though, I know every note of it now.",
    "Wow, another 'last chance' sale, the fifth last chance this week.",
    "Next day delivery, my foot. It came four days later.",
)

#: Complaints put politely, which keyword sentiment tends to miss.
POLITE_COMPLAINTS: tuple[str, ...] = (
    "It's fine I guess, but it arrived a week late.",
    "Not the end of the world, but a heads up would have been nice.",
    "Not the end of the world, though the refund took three weeks.",
    "Everything else was fine, it's just the waiting.",
    "It's not awful, but it's not what I paid for either.",
    "Not the end of the world, but I'd like the 15% I was promised.",
    "It's a small thing, but it puts people off.",
    "I don't mind waiting, but I do mind being ignored.",
    "Fine product, wrong size, and that's on the listing, not on me.",
    "I paid it in the end, but grudgingly.",
)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, slots: dict[str, str]) -> str:
    """Fill ``{slot}`` placeholders from `slots`; unknown slots are left as they are."""
    return _SLOT.sub(lambda m: slots.get(m.group(1), m.group(0)), template)


def default_slots(rng: random.Random) -> dict[str, str]:
    """Slot values that carry no personal data (product, courier, colour, code, days)."""
    product, noun = rng.choice(PRODUCTS)
    return {
        "product": product,
        "noun": noun,
        "courier": rng.choice(COURIERS),
        "colour": rng.choice(COLOURS),
        "code": rng.choice(PROMO_CODES),
        "days": rng.choice(DAYS_WORDS),
    }


def theme_sentences(theme: Theme, rng: random.Random, n: int, reverse_ok: bool = True) -> list[str]:
    """`n` (1..number of families, at most 3) unfilled sentences from distinct families of `theme`.

    The first family (what happened) is always present so every record names the theme's subject.
    """
    names = list(theme.families)
    first, rest = names[0], names[1:]
    n = max(1, min(n, 1 + len(rest)))
    chosen = [first] + rng.sample(rest, n - 1)
    out = [rng.choice(theme.families[name]) for name in chosen]
    # The "impact" sentence sometimes comes first, as people often lead with how they feel.
    if reverse_ok and len(out) > 1 and rng.random() < 0.25:
        out.reverse()
    return out


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.5:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.8:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double a letter


def stylise(text: str, rng: random.Random, style: str) -> str:
    """Rewrite `text` in a writing style: "plain", "texting", "shouty" or "typos".

    Apply it before `fill`: placeholders survive every style, so the personal data filled in
    afterwards (order numbers, names) stays exact.
    """
    if style == "texting":
        out = text.lower().replace("you ", "u ").replace("'", "")
        return out.rstrip(".")
    if style == "shouty":
        shouted = re.sub(r"\{(\w+)\}", lambda m: "{" + m.group(1).lower() + "}", text.upper())
        return shouted.rstrip(".!") + "!!!"
    if style == "typos":
        words = text.split(" ")
        for _ in range(rng.randint(1, 2)):
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
        return " ".join(words)
    return text

#: Everyday synonyms swapped in at random (whole words): more ways of saying the same thing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "really": ("really", "very", "so", "seriously", "genuinely", "properly"),
    "very": ("very", "really", "extremely", "incredibly"),
    "great": ("great", "brilliant", "fantastic", "excellent", "lovely"),
    "nice": ("nice", "lovely", "pleasant"),
    "lovely": ("lovely", "gorgeous", "beautiful", "nice"),
    "annoying": ("annoying", "frustrating", "irritating", "maddening"),
    "frustrating": ("frustrating", "annoying", "infuriating", "exasperating"),
    "disappointed": ("disappointed", "let down", "gutted", "fed up"),
    "happy": ("happy", "pleased", "chuffed", "delighted"),
    "quick": ("quick", "fast", "speedy"),
    "quickly": ("quickly", "fast", "promptly"),
    "terrible": ("terrible", "awful", "dreadful", "appalling", "shocking"),
    "awful": ("awful", "terrible", "dreadful", "rubbish"),
    "still": ("still", "even now", "as of today"),
    "again": ("again", "once more", "yet again"),
    "just": ("just", "simply", "only"),
    "bought": ("bought", "ordered", "purchased", "got"),
    "parcel": ("parcel", "package"),
    "easy": ("easy", "simple", "straightforward", "painless"),
    "absolutely": ("absolutely", "totally", "completely", "utterly"),
    "honestly": ("honestly", "genuinely", "truly"),
    "week": ("week", "seven days"),
    "told": ("told", "informed", "assured"),
}
_SYNONYM_RE = re.compile(r"\b(" + "|".join(sorted(SYNONYMS, key=len, reverse=True)) + r")\b")

_KEEP_CAPITAL = re.compile(r"^(?:I\b|I'|\{|[A-Z]{2}|Larkfield|Instagram|TikTok|YouTube|Pinterest|Insta\b)")


def vary(sentence: str, rng: random.Random, p_opener: float = 0.55, p_tail: float = 0.45, p_synonym: float = 0.5) -> str:
    """`sentence` in other words: everyday synonyms swapped in ("really" → "genuinely"), and at
    random an opener in front ("Honestly, ...") and a tail before its end ("..., to be fair.").
    The claim stays the same, so a large corpus does not repeat its records word for word."""
    sentence = _SYNONYM_RE.sub(
        lambda m: rng.choice(SYNONYMS[m.group(1)]) if rng.random() < p_synonym else m.group(1), sentence)
    if rng.random() < p_opener:
        opener = rng.choice(OPENERS)
        body = sentence if _KEEP_CAPITAL.match(sentence) else sentence[:1].lower() + sentence[1:]
        sentence = f"{opener} {body}"
    if rng.random() < p_tail:
        stripped = sentence.rstrip(".!?")
        end = sentence[len(stripped):]
        if stripped and not stripped.endswith((",", ":", ";")):
            tails = PRODUCT_TAILS if rng.random() < 0.5 else TAILS
            sentence = stripped + rng.choice(tails) + end
    return sentence


def context_sentence(rng: random.Random, slots: dict[str, str]) -> str:
    """A neutral context sentence ("Bought the kettle in sage for my new flat."), `{product}` and
    `{colour}` taken from `slots` so it agrees with the rest of the record."""
    template = rng.choice(CONTEXT_TEMPLATES)
    return fill(template, {"product": slots["noun"], "colour": slots["colour"], "occasion": rng.choice(OCCASIONS),
                           "when": rng.choice(WHENS), "device": rng.choice(DEVICES)})
