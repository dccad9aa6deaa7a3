import Type from 'typebox';

/** The error body every route answers with: `{"error":{"code","message","details"}}`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Array(
        Type.Object({
          field: Type.Optional(Type.String()),
          message: Type.String(),
          file: Type.Optional(Type.String()),
          line: Type.Optional(Type.Integer()),
          row: Type.Optional(Type.Integer()),
        }),
      ),
    }),
  },
  { $id: 'ErrorResponse', title: 'Error' },
);
