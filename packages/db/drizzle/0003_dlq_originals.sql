CREATE TABLE "dlq_originals" (
	"sha256" text PRIMARY KEY NOT NULL,
	"bytes" bigint NOT NULL,
	"gzipped" "bytea" NOT NULL,
	"dlq_topic" text,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
