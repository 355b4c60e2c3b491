-- CreateTable
CREATE TABLE "promo_windows" (
    "code" TEXT NOT NULL,
    "windowStart" DATETIME NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenueCents" INTEGER NOT NULL,

    PRIMARY KEY ("code", "windowStart")
);

-- CreateTable
CREATE TABLE "promo_variants" (
    "promotion" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenueCents" INTEGER NOT NULL,

    PRIMARY KEY ("promotion", "variant")
);

