-- CreateTable
CREATE TABLE "promo_windows" (
    "code" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenueCents" INTEGER NOT NULL,

    CONSTRAINT "promo_windows_pkey" PRIMARY KEY ("code","windowStart")
);

-- CreateTable
CREATE TABLE "promo_variants" (
    "promotion" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenueCents" INTEGER NOT NULL,

    CONSTRAINT "promo_variants_pkey" PRIMARY KEY ("promotion","variant")
);

