-- CreateTable
CREATE TABLE "sent_mails" (
    "orderId" TEXT NOT NULL PRIMARY KEY,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "processed_orders" (
    "orderId" TEXT NOT NULL PRIMARY KEY,
    "processedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "sent_mails_messageId_key" ON "sent_mails"("messageId");

-- CreateIndex
CREATE INDEX "sent_mails_sentAt_idx" ON "sent_mails"("sentAt");

