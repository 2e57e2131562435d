/* recipe_object.h — the recipe handle: the options given, over a preset. */
#ifndef NNC_RECIPE_OBJECT_H
#define NNC_RECIPE_OBJECT_H

#include <stdarg.h>

#include "recipe.h"

struct nnc_recipe {
    char           preset[16];
    uint64_t       given;          /* bit i: option i was given            */
    nnc__settings  given_values;   /* the values of the options given      */
    int            resumed;        /* training settings from a checkpoint  */
    nnc_train_opts resumed_train;
    size_t         split_rows;     /* the data nnc_recipe_split cut, for the */
    uint64_t       split_checksum; /* network's origin; 0: not split here    */
    float          split_valid;    /* the validation fraction it held out    */
    char           notes[1024];
};

/* The option's number, or -1. */
int nnc__recipe_option_id(const char *name);
/* The settings in force: the preset's, and every option given over them. */
void nnc__recipe_settings(const nnc_recipe *r, nnc__settings *out);
/* Adds a line to the recipe's notes. */
void nnc__recipe_note(nnc_recipe *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define NNC__GIVEN(r, id) ((r)->given >> (id) & 1)

#endif
