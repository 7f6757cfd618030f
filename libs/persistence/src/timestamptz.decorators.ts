import {
  Column,
  CreateDateColumn,
  UpdateDateColumn,
  type ColumnOptions,
} from 'typeorm';

/** A `timestamptz` column (the only time type Kingbridge stores). */
export function TimestamptzColumn(
  options: Omit<ColumnOptions, 'type'> = {},
): PropertyDecorator {
  return Column({ ...options, type: 'timestamptz' });
}

/** `created_at timestamptz NOT NULL DEFAULT now()`. */
export function CreatedAtColumn(): PropertyDecorator {
  return CreateDateColumn({ type: 'timestamptz', name: 'created_at' });
}

/** `updated_at timestamptz NOT NULL DEFAULT now()`, set by TypeORM on save. */
export function UpdatedAtColumn(): PropertyDecorator {
  return UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' });
}
