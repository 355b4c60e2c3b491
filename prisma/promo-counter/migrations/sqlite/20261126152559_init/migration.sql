-- CreateTable
CREATE TABLE "promo_counts" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "orders" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "processed_orders" (
    "orderId" TEXT NOT NULL PRIMARY KEY,
    "processedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

