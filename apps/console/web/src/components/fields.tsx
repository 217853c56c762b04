import { type ReactNode, useId } from "react";
import { useI18n } from "../i18n/i18n";
import { useClaims } from "../session/session";

export function TextField(props: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  type?: "text" | "date" | "datetime-local";
  placeholder?: string;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        placeholder={props.placeholder}
        required={props.required}
        onChange={(event) => props.onChange(event.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );
}

export function SelectField(props: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  options: ReadonlyArray<{ value: string; label: string }>;
  /** An "any" first option with the empty value. */
  any?: boolean;
}) {
  const id = useId();
  const { t } = useI18n();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      >
        {props.any ? <option value="">{t("common.any")}</option> : null}
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Operators narrow to one tenant (empty: every tenant's); an admin's tenant is its token's. */
export function TenantField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const { t } = useI18n();
  const claims = useClaims();
  if (claims.role !== "operator") return null;
  return (
    <TextField
      label={t("common.tenant")}
      name="tenant"
      value={value}
      onChange={onChange}
      placeholder={t("common.tenantAll")}
    />
  );
}

/** A filter form: submitting writes the filters into the URL, which the page loads from. */
export function FilterForm({
  children,
  onSubmit,
  submitLabel,
  clearTo,
}: {
  children: ReactNode;
  onSubmit(): void;
  submitLabel: string;
  clearTo?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <form
      className="filters"
      aria-label={t("common.filters")}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <div className="filter-fields">{children}</div>
      <div className="filter-actions">
        <button type="submit" className="primary">
          {submitLabel}
        </button>
        {clearTo}
      </div>
    </form>
  );
}
